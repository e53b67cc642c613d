"""Writes on accounts. Flush only: the caller's request or command commits."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import Officer, Role
from app.accounts.passwords import hash_password, policy_error, unusable_hash
from app.extensions import db


def create_officer(*, username: str, full_name: str, password: str | None, role: str,
                   agency_id: int, totp_secret: str | None = None) -> Officer:
    """The account row. No password (None): nothing signs in until the officer sets one
    through a one-time link (app/admin/password_links.py). Rules about who may create whom
    are app/admin/officers_services.py's."""
    if role not in {r.value for r in Role}:
        raise ValueError(f"unknown role {role!r}")
    if password is not None and (problem := policy_error(password, username)):
        raise ValueError(problem)
    officer = Officer(username=username.strip().lower(), full_name=full_name,
                      password_hash=hash_password(password) if password is not None
                      else unusable_hash(), role=role,
                      agency_id=agency_id, totp_secret=totp_secret)
    db.session.add(officer)
    db.session.flush()
    return officer


def find_officer(username: str) -> Officer | None:
    return db.session.scalar(select(Officer).where(Officer.username == username.strip().lower()))
