"""Flask-Login wiring: officers are "officer:<id>" and live only while their server-side
session row does (app/accounts/officer_sessions.py); citizens are "citizen:<id>" with a
short lifetime (app/citizens/sessions.py)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.accounts import officer_sessions
from app.accounts.models import Officer
from app.citizens import sessions as citizen_sessions
from app.citizens.models import Citizen
from app.extensions import login_manager


def load_user(user_id: str) -> Officer | Citizen | None:
    kind, _, rest = user_id.partition(":")
    if kind == "citizen":
        return citizen_sessions.load(rest)
    if kind != "officer":
        return None
    raw_id = rest.partition(":")[0]
    if not raw_id.isdigit():
        return None
    # Signed out here, elsewhere or everywhere: the session row says so, for every process.
    return officer_sessions.load(int(raw_id))


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    officer_sessions.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "staff.accounts.login"
    login_manager.login_message = _l("Vui lòng đăng nhập để tiếp tục.")
    login_manager.session_protection = "strong"
