"""Flask-Login wiring: officer session ids carry the officer's session version; citizen ones
are "citizen:<id>" with a short lifetime (app/citizens/sessions.py)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.accounts.models import Officer
from app.citizens import sessions as citizen_sessions
from app.citizens.models import Citizen
from app.extensions import db, login_manager


def load_user(user_id: str) -> Officer | Citizen | None:
    kind, _, rest = user_id.partition(":")
    if kind == "citizen":
        return citizen_sessions.load(rest)
    if kind != "officer":
        return None
    raw_id, _, version = rest.partition(":")
    if not raw_id.isdigit():
        return None
    officer = db.session.get(Officer, int(raw_id))
    # "Log out everywhere" bumps session_version: older sessions stop matching here.
    if officer is None or not officer.active or str(officer.session_version) != version:
        return None
    return officer


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "staff.accounts.login"
    login_manager.login_message = _l("Vui lòng đăng nhập để tiếp tục.")
    login_manager.session_protection = "strong"
