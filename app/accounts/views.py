"""Officer login and logout. The full back office lives in its own blueprint."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user

from app.accounts.passwords import verify_password
from app.accounts.services import find_officer
from app.extensions import limiter

bp = Blueprint("accounts", __name__, url_prefix="/officer")


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an open redirect would let a phishing link borrow our domain.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("accounts.home")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login():  # noqa: ANN201
    error = None
    if request.method == "POST":
        username = request.form.get("username", "")
        password = request.form.get("password", "")
        officer = find_officer(username) if username else None
        if officer and officer.active and verify_password(officer.password_hash, password):
            session.clear()  # a fresh session on login: no fixation
            login_user(officer)
            return redirect(_safe_next(request.args.get("next")))
        error = _("Tên đăng nhập hoặc mật khẩu không đúng.")
    return render_template("accounts/login.html", error=error), (401 if error else 200)


@bp.post("/logout")
@login_required
def logout():  # noqa: ANN201
    logout_user()
    session.clear()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("accounts.login"))


@bp.get("/")
@login_required
def home():  # noqa: ANN201
    return render_template("accounts/home.html")
