"""Writes on accounts. Flush only: the caller's request or command commits."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import Officer, Role
from app.accounts.passwords import hash_password
from app.extensions import db


def create_officer(*, username: str, full_name: str, password: str, role: str,
                   agency_id: int, totp_secret: str | None = None) -> Officer:
    if role not in {r.value for r in Role}:
        raise ValueError(f"unknown role {role!r}")
    if len(password) < 10:
        raise ValueError("password must have at least 10 characters")
    officer = Officer(username=username.strip().lower(), full_name=full_name,
                      password_hash=hash_password(password), role=role,
                      agency_id=agency_id, totp_secret=totp_secret)
    db.session.add(officer)
    db.session.flush()
    return officer


def find_officer(username: str) -> Officer | None:
    return db.session.scalar(select(Officer).where(Officer.username == username.strip().lower()))
