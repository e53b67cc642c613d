"""Citizen sessions: short, started fresh on sign-in, checked on every request."""

from __future__ import annotations

import time

from flask import session
from flask_login import login_user

from app.citizens.models import Citizen
from app.extensions import db

SESSION_KEY = "citizen_signed_in_at"
# Phones are shared in a family: a citizen session ends after two hours whatever happens.
SESSION_SECONDS = 2 * 3600


def start(citizen: Citizen) -> None:
    """A new session for the citizen: nothing from before sign-in carries over."""
    session.clear()
    login_user(citizen)
    session[SESSION_KEY] = time.time()


def load(raw_id: str) -> Citizen | None:
    """Flask-Login's loader for "citizen:<id>": None once the session is too old."""
    started = session.get(SESSION_KEY)
    if not raw_id.isdigit() or not isinstance(started, (int, float)):
        return None
    if time.time() - started > SESSION_SECONDS:
        return None
    return db.session.get(Citizen, int(raw_id))
