"""Where an officer sets a password through the one-time link an admin handed over
(/officer/set-password). Open without signing in (app/core/staff_area.py ANONYMOUS_OK).

The link carries the token in the query string, which the request loggers redact
(app/core/logs.py); the first visit moves it into the session and redirects to the bare
address, so the form page, its history entry and any Referer carry no token.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from app.admin import password_links
from app.admin.errors import InvalidInput
from app.core.errors import DomainError
from app.extensions import limiter

bp = Blueprint("password_link", __name__, url_prefix="/officer")

TOKEN_KEY = "password_link_token"  # noqa: S105 (a session key, not a secret)


@bp.get("/set-password/start")
@limiter.limit("30 per minute")
def start() -> Any:
    session[TOKEN_KEY] = request.args.get("token", "")[:password_links.MAX_TOKEN + 1]
    return redirect(url_for(".set_password"))


@bp.route("/set-password", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def set_password() -> Any:
    token = session.get(TOKEN_KEY) or ""
    link = password_links.find_valid(token)
    if link is None:
        session.pop(TOKEN_KEY, None)
        return render_template("admin/set_password.html", link=None,
                               error=_("Liên kết đặt mật khẩu không đúng, đã dùng hoặc đã hết "
                                       "hạn. Hãy xin quản trị viên của xã một liên kết mới.")), 404
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            password_links.redeem(token, request.form.get("password", ""),
                                  request.form.get("confirmation", ""))
        except InvalidInput as exc:
            errors[exc.field] = exc.message
        except DomainError as exc:
            session.pop(TOKEN_KEY, None)
            return render_template("admin/set_password.html", link=None,
                                   error=exc.message), exc.status_code
        else:
            session.pop(TOKEN_KEY, None)
            flash(_("Đã đặt mật khẩu mới. Mời bạn đăng nhập."), "ok")
            return redirect(url_for("staff.accounts.login"))
    return render_template("admin/set_password.html", link=link, errors=errors,
                           error=None), (422 if errors else 200)
