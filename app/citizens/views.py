"""The signed-in citizen's pages: "Hồ sơ của tôi" and saving a guest dossier to the account."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.accounts import oidc
from app.citizens import policies, queries, services
from app.core.errors import DomainError
from app.core.identity import IdentityError, normalize_phone
from app.core.shared_limits import fails_closed
from app.dossiers.queries import dossier_by_code
from app.dossiers.workflow import status_label
from app.extensions import limiter
from app.pwa.cache_policy import keep_private

bp = Blueprint("citizens", __name__, url_prefix="/me")


bp.after_request(keep_private)


@bp.context_processor
def _helpers() -> dict[str, object]:
    return {"status_label": status_label}


def _must_sign_in() -> Response:
    if not oidc.enabled():
        abort(404)
    return redirect(url_for("signin.login", next=request.full_path.rstrip("?")))


def _render(values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
            status: int = 200):  # noqa: ANN202
    return render_template("citizens/dossiers.html",
                           dossiers=queries.dossiers_of(current_user),
                           values=values or {}, errors=errors or {}), status


@bp.get("/dossiers")
def my_dossiers():  # noqa: ANN201
    if not policies.is_citizen(current_user):
        return _must_sign_in()
    return _render()


@bp.post("/dossiers/link")
@limiter.limit("10 per minute")
@fails_closed
def link():  # noqa: ANN201
    if not policies.is_citizen(current_user):
        return _must_sign_in()
    form = request.form
    code, secret = form.get("code", "").strip(), form.get("t", "").strip()
    from_link = form.get("from") == "dossier"
    errors: dict[str, str] = {}
    phone = ""
    if not code:
        errors["code"] = _("Vui lòng nhập mã hồ sơ.")
    if not from_link:
        # Typed in by hand: code + phone + the tracking code (or, for a counter dossier,
        # the citizen ID the identity provider confirmed).
        try:
            phone = normalize_phone(form.get("phone", ""))
        except IdentityError:
            errors["phone"] = _("Vui lòng nhập số điện thoại đã dùng khi nộp hồ sơ.")
    elif not secret:
        errors["code"] = _("Không lưu được: thiếu mã tra cứu của hồ sơ.")
    dossier = dossier_by_code(code) if not errors else None
    if not errors:
        try:
            services.link_dossier(current_user, dossier, secret=_secret_from(secret),
                                  phone=phone)
        except DomainError as err:
            errors["code"] = err.message
    if errors:
        return _render(form.to_dict(), errors, 422)
    flash(_("Đã lưu hồ sơ %(code)s vào tài khoản của bạn.", code=dossier.code), "ok")
    return redirect(url_for(".my_dossiers"))


def _secret_from(value: str) -> str:
    """The tracking code alone, or the whole tracking link pasted in (…/d/<code>?t=…)."""
    if "t=" in value:
        found = parse_qs(urlsplit(value).query).get("t")
        return found[0] if found else ""
    return value
