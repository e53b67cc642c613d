"""The demo loader: idempotent, one officer per role, refused in production."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.accounts.models import Officer, Role
from app.accounts.passwords import verify_password
from app.extensions import db
from app.places.demo import DemoRefused, demo_data, load_demo
from app.places.models import Agency, Village
from app.procedures.models import Procedure
from tests.factories.apps import make_app


def _counts() -> dict[str, int]:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Agency, Village, Officer, Procedure)}


def test_running_the_demo_twice_changes_nothing(app: Flask) -> None:
    with app.app_context():
        first = load_demo()
        db.session.commit()
        after_first = _counts()
        second = load_demo()
        db.session.commit()
        assert _counts() == after_first
    assert first.changed and not second.changed
    assert after_first["Agency"] == 4 and after_first["Village"] >= 10
    assert after_first["Officer"] == 9


def test_demo_has_tan_hong_and_a_second_commune_with_five_villages_each(demo: object,
                                                                        app: Flask) -> None:
    with app.app_context():
        for slug, province in (("tanhong", "Thành phố Hà Nội"), ("vanhung", "Tỉnh Khánh Hòa")):
            commune = db.session.scalar(select(Agency).where(Agency.slug == slug))
            assert commune is not None and commune.kind == "commune"
            assert commune.parent is not None and commune.parent.name == province
            assert len(commune.villages) >= 5
            assert all(v.code == v.code.lower() for v in commune.villages)
            assert commune.working_hours.startswith("Sáng")
            assert commune.bank_bin == "970405" and commune.bank_account.startswith("9999")
        assert db.session.scalar(select(Agency.name).where(Agency.slug == "tanhong")) == \
            "Xã Tản Hồng"


def test_one_officer_per_role_per_commune_and_a_system_admin(demo: object, app: Flask) -> None:
    with app.app_context():
        officers = {o.username: o for o in db.session.scalars(select(Officer))}
        for slug in ("tanhong", "vanhung"):
            for prefix, role in (("tiepnhan", Role.RECEIVING), ("chuyenvien", Role.SPECIALIST),
                                 ("lanhdao", Role.LEADER), ("quantri", Role.COMMUNE_ADMIN)):
                officer = officers[f"{prefix}.{slug}"]
                assert officer.role == role and officer.agency.slug == slug
        assert officers["hethong"].role == Role.SYSTEM_ADMIN
        assert verify_password(officers["hethong"].password_hash, "motcua-demo")


def test_demo_password_comes_from_the_environment(app: Flask,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_PASSWORD", "another-demo-pass")
    with app.app_context():
        load_demo()
        db.session.commit()
        hashed = db.session.scalar(select(Officer.password_hash)
                                   .where(Officer.username == "quantri.tanhong"))
    assert hashed and verify_password(hashed, "another-demo-pass")


def test_production_refuses_the_demo(app: Flask, tmp_path: Path) -> None:
    production = make_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path)
    # Flagged after start: a production app on the tests' SQLite would be refused at start
    # by the production check (tests/unit/core/test_doctor.py), before the demo refuses.
    production.config["MOTCUA"] = dataclasses.replace(production.config["MOTCUA"],
                                                      production=True)
    with production.app_context():
        with pytest.raises(DemoRefused, match="production"):
            load_demo()
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Officer)) == 0
        assert db.session.scalar(select(func.count()).select_from(Agency)) == 0
        db.engine.dispose()


def test_demo_data_codes_are_unique_and_short() -> None:
    data = demo_data()
    codes = [v["code"] for a in data["agencies"] for v in a.get("villages", [])]
    assert len(codes) == len(set(codes))
    assert all(c == c.lower() and len(c) <= 24 for c in codes)
