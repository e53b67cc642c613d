"""Dossier codes (agency, Vietnam's day, per-day sequence) and tracking secrets."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from flask import Flask

from app.dossiers.codes import (
    hash_secret,
    next_dossier_code,
    secret_matches,
    tracking_secret,
)
from app.extensions import db
from app.places.models import Agency


@pytest.fixture
def agencies(app: Flask) -> Iterator[tuple[Agency, Agency]]:
    with app.app_context():
        a = Agency(code="000.31.12.H26", slug="xa-a", name="Xã A", kind="commune")
        b = Agency(code="000.31.13.H26", slug="xa-b", name="Xã B", kind="commune")
        db.session.add_all([a, b])
        db.session.flush()
        yield a, b
        db.session.rollback()


def test_code_format_and_sequence_per_agency_and_day(agencies: tuple[Agency, Agency]) -> None:
    a, b = agencies
    morning = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
    assert next_dossier_code(a, morning) == "000.31.12.H26-261122-0001"
    assert next_dossier_code(a, morning) == "000.31.12.H26-261122-0002"
    assert next_dossier_code(b, morning) == "000.31.13.H26-261122-0001"
    assert next_dossier_code(a, datetime(2026, 11, 23, 1, 0, tzinfo=UTC)).endswith(
        "-261123-0001")


def test_the_day_is_vietnams_day(agencies: tuple[Agency, Agency]) -> None:
    a, _b = agencies
    # 18:30 UTC on the 22nd is already 01:30 on the 23rd in Hà Nội.
    late = datetime(2026, 11, 22, 18, 30, tzinfo=UTC)
    assert next_dossier_code(a, late) == "000.31.12.H26-261123-0001"


def test_tracking_secret_is_stable_per_key_and_long(app: Flask) -> None:
    with app.app_context():
        first = tracking_secret("0b6f7a9e-1111-4c4c-8d8d-000000000001")
        again = tracking_secret("0b6f7a9e-1111-4c4c-8d8d-000000000001")
        other = tracking_secret("0b6f7a9e-1111-4c4c-8d8d-000000000002")
    assert first == again != other
    assert re.fullmatch(r"[A-Za-z0-9_-]{22,}", first)
    assert secret_matches(first, hash_secret(first))
    assert not secret_matches(other, hash_secret(first))
    assert not secret_matches("", hash_secret(first))
    assert not secret_matches(None, hash_secret(first))


def test_secret_depends_on_the_server_key(app: Flask) -> None:
    with app.app_context():
        mine = tracking_secret("same-key-123")
        app.config["SECRET_KEY"] = "another server"
        theirs = tracking_secret("same-key-123")
    assert mine != theirs
