"""Flask-Login wiring: session ids carry the officer's session version."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.accounts.models import Officer
from app.extensions import db, login_manager


def load_user(user_id: str) -> Officer | None:
    kind, _, rest = user_id.partition(":")
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
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Vui lòng đăng nhập để tiếp tục.")
    login_manager.session_protection = "strong"
