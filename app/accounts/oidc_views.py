"""Sign-in through OpenID Connect: citizens at /login, officers at /officer/login/oidc, one
callback for both, and the citizen's sign-out."""

from __future__ import annotations

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
from flask_login import logout_user
from werkzeug.wrappers import Response

from app.accounts import oidc
from app.accounts.services import find_officer
from app.accounts.views import after_first_factor
from app.citizens import services as citizen_services
from app.citizens import sessions as citizen_sessions
from app.core.redirects import safe_local_target
from app.extensions import db, limiter

bp = Blueprint("oidc", __name__)


@bp.after_request
def _private(response: Response) -> Response:
    # Sign-in steps carry one-time codes and personal names: never cached anywhere.
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _refused(message: str, status: int = 400):  # noqa: ANN202
    return render_template("accounts/citizen_login_error.html", message=message), status


def _start(kind: str) -> Response | tuple[str, int]:
    next_url = safe_local_target(request.args.get("next"))
    if not oidc.enabled(kind):
        flash(oidc.OidcError("disabled").message, "info")
        return redirect(next_url or url_for("places.home"))
    try:
        url = oidc.authorization_url(kind, url_for("oidc.callback", _external=True), next_url)
    except oidc.OidcError as err:
        return _refused(err.message, 503)
    return redirect(url)


@bp.get("/login")
@limiter.limit("30 per minute")
def login():  # noqa: ANN201
    return _start(oidc.CITIZEN)


@bp.get("/officer/login/oidc")
@limiter.limit("30 per minute")
def staff_login():  # noqa: ANN201
    return _start(oidc.STAFF)


@bp.get("/auth/callback")
@limiter.limit("30 per minute")
def callback():  # noqa: ANN201
    try:
        sign_in = oidc.complete(request.args)
    except oidc.OidcError as err:
        return _refused(err.message, 503 if err.code == "unavailable" else 400)
    if sign_in.kind == oidc.STAFF:
        return _staff_signed_in(sign_in)
    citizen = citizen_services.record_sign_in(sign_in)
    db.session.flush()  # the session cookie names the account by its id
    citizen_sessions.start(citizen)
    flash(_("Đã đăng nhập. Xin chào %(name)s!", name=citizen.full_name or _("bạn")), "ok")
    return redirect(safe_local_target(sign_in.next_url) or url_for("citizens.my_dossiers"))


def _staff_signed_in(sign_in: oidc.SignIn):  # noqa: ANN202
    """Officers exist before they sign in: the provider's claim must name an active account
    (never created here), and the back office's TOTP rules apply afterwards."""
    claim = current_app.config["MOTCUA"].oidc_staff_username_claim
    username = sign_in.userinfo.get(claim) or sign_in.id_claims.get(claim)
    officer = find_officer(str(username)) if isinstance(username, str) and username else None
    if officer is None or not officer.active:
        return _refused(_("Tài khoản công vụ này chưa được cấp quyền sử dụng Motcua. "
                          "Vui lòng liên hệ quản trị viên của xã."), 403)
    return after_first_factor(officer, safe_local_target(sign_in.next_url))


@bp.post("/logout")
def logout():  # noqa: ANN201
    logout_user()
    session.clear()
    flash(_("Bạn đã đăng xuất."), "info")
    response = redirect(url_for("places.home"))
    response.headers["Cache-Control"] = "private, no-store"
    # The browser drops its HTTP cache; the service worker drops its kept pages when it sees
    # this navigation (pwa/sw.js), so a shared phone keeps nothing of the session.
    response.headers["Clear-Site-Data"] = '"cache"'
    return response
