"""Officer sign-in (password, or the staff identity provider; then TOTP), sign-out, and the
officer's own security page. Part of the staff area (app/core/staff_area.py): its guard
lets only the sign-in steps through before an officer is signed in."""

from __future__ import annotations

import time
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from app.accounts import login as rules
from app.accounts import officer_sessions, oidc, oidc_flow, throttle
from app.accounts.models import Officer
from app.accounts.services import find_officer
from app.core import transaction
from app.core.qr import qr_svg
from app.core.redirects import safe_local_target
from app.extensions import db, limiter

bp = Blueprint("accounts", __name__, url_prefix="/officer")

PENDING_KEY = "pending_login"
PENDING_SECONDS = 300


# Where an officer lands after signing in when no safe `next` was asked for: the work.
LANDING_ENDPOINT = "staff.backoffice.inbox"


def _safe_next(target: str | None) -> str:
    return safe_local_target(target) or url_for(LANDING_ENDPOINT)


def _finish_login(officer: Officer, next_url: str | None) -> Response:
    session.clear()  # a fresh session on sign-in: nothing from before carries over
    login_user(officer)
    missed = throttle.signed_in(officer.username)
    if missed:
        flash(throttle.missed_message(missed), "info")
    return redirect(_safe_next(next_url))


def _pending_officer() -> tuple[Officer, dict[str, Any]] | None:
    pending = session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    officer = db.session.get(Officer, pending.get("id"))
    if officer is None or not officer.active:
        return None
    return officer, pending


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def login():  # noqa: ANN201
    error, status = None, 200
    if request.method == "POST":
        result = rules.check_password(request.form.get("username", ""),
                                      request.form.get("password", ""),
                                      source=request.remote_addr or "")
        transaction.keep_on_refusal()  # failure counts must persist when the login fails
        if result.retry_after is not None:
            error, status = throttle.refusal_message(result.retry_after), 429
        elif result.officer is None:
            error, status = _("Tên đăng nhập hoặc mật khẩu không đúng."), 401
        else:
            return after_first_factor(result.officer, request.args.get("next"))
    return render_template("accounts/login.html", error=error), status


def after_first_factor(officer: Officer, next_url: str | None) -> Response:
    """The officer proved who they are (password, or the staff identity provider): sign in,
    or go on to the TOTP step when their role or enrolment asks for it."""
    if not officer.must_use_totp:
        return _finish_login(officer, next_url)
    session.clear()
    session[PENDING_KEY] = {"id": officer.id, "at": time.time(), "next": next_url}
    if officer.totp_secret:
        return redirect(url_for("staff.accounts.login_totp"))
    session[PENDING_KEY]["secret"] = rules.new_totp_secret()
    return redirect(url_for("staff.accounts.login_totp_setup"))


@bp.route("/login/totp", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login_totp():  # noqa: ANN201
    found = _pending_officer()
    if found is None or not found[0].totp_secret:
        flash(_("Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại."), "info")
        return redirect(url_for("staff.accounts.login"))
    officer, pending = found
    error = None
    if request.method == "POST":
        if rules.verify_totp(officer, request.form.get("code", "")):
            return _finish_login(officer, pending.get("next"))
        error = _("Mã xác thực không đúng hoặc đã dùng. Hãy nhập mã mới trên ứng dụng.")
    return render_template("accounts/totp.html", error=error), (401 if error else 200)


@bp.route("/login/totp-setup", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login_totp_setup():  # noqa: ANN201
    found = _pending_officer()
    if found is None or "secret" not in found[1]:
        return redirect(url_for("staff.accounts.login"))
    officer, pending = found
    secret = pending["secret"]
    error = None
    if request.method == "POST":
        if rules.verify_totp(officer, request.form.get("code", ""), secret=secret):
            officer.totp_secret = secret
            return _finish_login(officer, pending.get("next"))
        error = _("Mã xác thực không đúng. Kiểm tra giờ trên điện thoại rồi thử lại.")
    return render_template("accounts/totp_setup.html", error=error, secret=secret,
                           qr=qr_svg(rules.totp_uri(officer, secret))), (401 if error else 200)


def _signed_out(message: str) -> Response:
    logout_user()
    session.clear()
    flash(message, "info")
    # ?logged_out=1 also tells the service worker to drop the pages it kept.
    return redirect(url_for("staff.accounts.login", logged_out=1))


@bp.post("/logout")
def logout():  # noqa: ANN201
    return _signed_out(_("Bạn đã đăng xuất."))


@bp.post("/logout-everywhere")
def logout_everywhere():  # noqa: ANN201
    officer_sessions.end_all(current_user)
    return _signed_out(_("Đã đăng xuất trên mọi thiết bị."))


@bp.get("/")
def home():  # noqa: ANN201
    """The staff index: straight to the inbox, where the work is."""
    return redirect(url_for(LANDING_ENDPOINT))


@bp.get("/account")
def account():  # noqa: ANN201
    """The officer's own page: who and where they are, security, sign-out."""
    return render_template("accounts/home.html")


SETUP_KEY = "totp_setup_secret"


@bp.route("/security", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def security():  # noqa: ANN201
    """Any officer may turn on the second factor (admins always have it)."""
    officer: Officer = current_user
    error = None
    if request.method == "POST" and request.form.get("step") == "start":
        session[SETUP_KEY] = rules.new_totp_secret()
    elif request.method == "POST" and request.form.get("step") == "confirm":
        secret = session.get(SETUP_KEY)
        if secret and rules.verify_totp(officer, request.form.get("code", ""), secret=secret):
            officer.totp_secret = secret
            session.pop(SETUP_KEY, None)
            flash(_("Đã bật xác thực hai lớp. Lần đăng nhập sau cần nhập mã 6 số."), "ok")
            return redirect(url_for("staff.accounts.security"))
        error = _("Mã xác thực không đúng. Kiểm tra giờ trên điện thoại rồi thử lại.")
    secret = None if officer.totp_secret else session.get(SETUP_KEY)
    qr = None
    if secret:
        qr = qr_svg(rules.totp_uri(officer, secret))
    return render_template("accounts/security.html", secret=secret, qr=qr,
                           error=error), (401 if error else 200)


@bp.get("/login/oidc")
@limiter.limit("30 per minute")
def login_oidc():  # noqa: ANN201
    return oidc_flow.start(oidc.STAFF)


def finish_oidc_sign_in(sign_in: oidc.SignIn) -> Response | tuple[str, int]:
    """The staff provider vouched for someone. Officers exist before they sign in: the
    provider's claim must name an active account (never created here), and the back
    office's TOTP rules apply afterwards."""
    claim = current_app.config["MOTCUA"].oidc_staff_username_claim
    username = sign_in.userinfo.get(claim) or sign_in.id_claims.get(claim)
    officer = find_officer(str(username)) if isinstance(username, str) and username else None
    if officer is None or not officer.active:
        return oidc_flow.refused(_("Tài khoản công vụ này chưa được cấp quyền sử dụng "
                                   "Motcua. Vui lòng liên hệ quản trị viên của xã."), 403)
    return after_first_factor(officer, safe_local_target(sign_in.next_url))
