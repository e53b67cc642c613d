"""Citizen sign-in through OpenID Connect (/login), the provider's one callback (/auth/...)
and the citizen's sign-out. A staff sign-in comes back through the same callback and is
finished by the staff side, which maps it to an existing officer."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import logout_user

from app.accounts import oidc, oidc_flow
from app.accounts.views import finish_oidc_sign_in as finish_staff_sign_in
from app.citizens import services, sessions
from app.core.redirects import safe_local_target
from app.extensions import db, limiter
from app.pwa.cache_policy import keep_private

bp = Blueprint("signin", __name__)


# Sign-in steps carry one-time codes and personal names: never cached anywhere.
bp.after_request(keep_private)


@bp.get("/login")
@limiter.limit("30 per minute")
def login():  # noqa: ANN201
    return oidc_flow.start(oidc.CITIZEN)


@bp.get("/auth/callback")
@limiter.limit("30 per minute")
def callback():  # noqa: ANN201
    try:
        sign_in = oidc.complete(request.args)
    except oidc.OidcError as err:
        return oidc_flow.refused(err.message, 503 if err.code == "unavailable" else 400)
    if sign_in.kind == oidc.STAFF:
        return finish_staff_sign_in(sign_in)
    citizen = services.record_sign_in(sign_in)
    db.session.flush()  # the session cookie names the account by its id
    sessions.start(citizen)
    flash(_("Đã đăng nhập. Xin chào %(name)s!", name=citizen.full_name or _("bạn")), "ok")
    return redirect(safe_local_target(sign_in.next_url) or url_for("citizens.my_dossiers"))


@bp.post("/logout")
def logout():  # noqa: ANN201
    logout_user()
    session.clear()
    flash(_("Bạn đã đăng xuất."), "info")
    response = keep_private(redirect(url_for("places.home")))
    # The browser drops its HTTP cache; the service worker drops its kept pages when it sees
    # this navigation (pwa/sw.js), so a shared phone keeps nothing of the session.
    response.headers["Clear-Site-Data"] = '"cache"'
    return response
