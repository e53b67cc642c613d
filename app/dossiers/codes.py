"""Dossier codes (<agency code>-<YYMMDD>-<seq>) and the secrets in tracking links."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from app.core.vntime import vietnam_day
from app.dossiers.models import DossierSequence
from app.extensions import db

if TYPE_CHECKING:
    from app.places.models import Agency

# What people type in place of the dots and dashes: spaces, dashes (and the long dash a
# phone's keyboard puts in), dots, commas, underscores, slashes, or nothing at all.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015.,_/]+")
# The sequence is zero-padded to 4 digits; a very busy desk could pass 9999.
_SEQUENCE_LENGTHS = (4, 5)


def compact(text: str) -> str:
    """The letters and digits only, upper case: what must match whatever the citizen typed."""
    return _SEPARATORS.sub("", text or "").upper()


def canonical_code(typed: str | None, agency_codes: Iterable[str]) -> str | None:
    """The real code a citizen meant, or None.

    `000 31 12 h26 260301 0001`, `000-31-12-H26-260301-0001` and `0003112H262603010001`
    all mean `000.31.12.H26-260301-0001`: the letters and digits are compared with each
    agency's code, and only a single agency matching them gives an answer.
    """
    wanted = compact(typed or "")
    by_compact: dict[str, set[str]] = {}
    for code in agency_codes:
        by_compact.setdefault(compact(code), set()).add(code.upper())
    found = set()
    for length in _SEQUENCE_LENGTHS:
        head, day, seq = wanted[:-length - 6], wanted[-length - 6:-length], wanted[-length:]
        if head and day.isdigit() and seq.isdigit():
            found |= {f"{agency}-{day}-{seq}" for agency in by_compact.get(head, ())}
    return found.pop() if len(found) == 1 else None


def next_dossier_code(agency: Agency, now: datetime) -> str:
    """The next code of this agency for today (Vietnam's calendar day).

    One upsert statement both creates the day's counter and bumps it, so concurrent
    submissions queue on the counter row and never read the same number.
    """
    day = vietnam_day(now)
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    upsert = insert(DossierSequence).values(agency_id=agency.id, day=day, last=1)
    stmt = upsert.on_conflict_do_update(
        index_elements=[DossierSequence.agency_id, DossierSequence.day],
        set_={"last": DossierSequence.last + 1},
    ).returning(DossierSequence.last)
    seq = db.session.execute(stmt).scalar_one()
    # Upper case always, so lookups can compare exactly and use the unique index.
    return f"{agency.code}-{day:%y%m%d}-{seq:04d}".upper()


def tracking_secret(idempotency_key: str) -> str:
    """The secret of a dossier's tracking link, derived so a retried submission (same key)
    shows the same link without the secret ever being stored."""
    key = current_app.config["SECRET_KEY"].encode()
    mac = hmac.new(key, b"track:" + idempotency_key.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str | None, stored_hash: str | None) -> bool:
    if not secret or not stored_hash or len(secret) > 100:
        return False
    return hmac.compare_digest(hash_secret(secret), stored_hash)
