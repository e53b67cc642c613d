"""The officers of a commune, managed by its admins (/admin/officers…): list with sign-in
record, create, edit name and role, disable and re-enable, one-time password links, second
factor reset. Nested in the staff area (app/core/staff_area.py). Every view starts with one
of the loaders of app/admin/access.py, which answer 403 to a non-admin and 404 outside the
admin's commune."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.models import Officer
from app.admin import access, officers_services, password_links, policies, queries, roles
from app.admin.errors import InvalidInput
from app.core.errors import DomainError
from app.extensions import db, limiter

bp = Blueprint("admin_officers", __name__, url_prefix="/admin/officers")

MAX_FIELD = 300  # what a form field may carry before the rules look at it


@bp.app_template_global()
def role_label(role: str) -> str:
    return roles.label(role)


def _form() -> dict[str, str]:
    return {k: request.form.get(k, "")[:MAX_FIELD] for k in ("username", "full_name", "role")}


def _officer(officer_id: int) -> Officer:
    found = queries.officer_in(access.scope(), officer_id)  # 403 first for a non-admin
    if found is None:
        abort(404)
    return found


def _link_url(token: str) -> str:
    base = current_app.config["MOTCUA"].public_base_url
    return base + url_for("staff.password_link.start", token=token)


def _show_link(officer: Officer, token: str, *, created: bool) -> Any:
    # Shown in this answer only (never flashed, never stored): the admin hands it over.
    return render_template("admin/password_link.html", officer=officer, created=created,
                           link=_link_url(token), hours=int(password_links.LIFETIME
                                                            .total_seconds() // 3600))


@bp.get("")
def officers() -> Any:
    agency = access.chosen_agency()
    found = queries.officers_of(agency.id)
    return render_template("admin/officers.html", agency=agency, officers=found,
                           records=queries.sign_in_records(found),
                           communes=queries.communes() if access.scope() is None else [],
                           can_manage=lambda o: policies.can_manage_officer(current_user, o))


def _role_choices() -> list[tuple[str, str, str]]:
    return [(r.value, str(roles.LABELS[r]), str(roles.DUTIES[r]))
            for r in policies.assignable_roles(current_user)]


@bp.route("/new", methods=["GET", "POST"])
def new_officer() -> Any:
    agency = access.chosen_agency()
    values, errors = _form(), {}
    if request.method == "POST":
        try:
            officer = officers_services.create_officer(
                current_user, username=values["username"], full_name=values["full_name"],
                role=values["role"], agency=agency)
            token = password_links.issue(current_user, officer)
        except InvalidInput as exc:
            errors[exc.field] = exc.message
        else:
            return _show_link(officer, token, created=True)
    return render_template("admin/officer_new.html", agency=agency, values=values,
                           errors=errors, choices=_role_choices()), (422 if errors else 200)


def _officer_page(officer: Officer, *, values: dict[str, str] | None = None,
                  errors: dict[str, str] | None = None, error: str | None = None,
                  status: int = 200) -> Any:
    values = values or {"full_name": officer.full_name, "role": officer.role}
    return render_template(
        "admin/officer.html", officer=officer, values=values, errors=errors or {},
        error=error, choices=_role_choices(), record=queries.sign_in_records([officer])[officer.id],
        history=queries.audit_of_officer(officer.id),
        can_manage=policies.can_manage_officer(current_user, officer)), status


@bp.route("/<int:officer_id>", methods=["GET", "POST"])
def officer_page(officer_id: int) -> Any:
    officer = _officer(officer_id)
    if request.method == "GET":
        return _officer_page(officer)
    values = _form()
    try:
        officers_services.update_officer(current_user, officer, full_name=values["full_name"],
                                         role=values["role"])
    except InvalidInput as exc:
        return _officer_page(officer, values=values, errors={exc.field: exc.message},
                             status=422)
    except DomainError as exc:
        return _officer_page(officer, values=values, error=exc.message, status=exc.status_code)
    flash(_("Đã lưu thông tin cán bộ."), "ok")
    return redirect(url_for(".officer_page", officer_id=officer.id))


def _act(officer_id: int, action: Any, done: str) -> Any:
    officer = _officer(officer_id)
    try:
        action(current_user, officer)
    except DomainError as exc:
        db.session.refresh(officer)
        return _officer_page(officer, error=exc.message, status=exc.status_code)
    flash(done, "ok")
    return redirect(url_for(".officer_page", officer_id=officer.id))


@bp.post("/<int:officer_id>/disable")
def disable(officer_id: int) -> Any:
    return _act(officer_id, officers_services.disable_officer,
                _("Đã khoá tài khoản. Mọi phiên đăng nhập của cán bộ này đã kết thúc."))


@bp.post("/<int:officer_id>/enable")
def enable(officer_id: int) -> Any:
    return _act(officer_id, officers_services.enable_officer, _("Đã mở khoá tài khoản."))


@bp.post("/<int:officer_id>/reset-totp")
def reset_totp(officer_id: int) -> Any:
    return _act(officer_id, officers_services.reset_second_factor,
                _("Đã đặt lại xác thực hai lớp. Lần đăng nhập sau, cán bộ sẽ cài lại ứng dụng "
                  "xác thực."))


@bp.post("/<int:officer_id>/password-link")
@limiter.limit("20 per hour")
def password_link(officer_id: int) -> Any:
    officer = _officer(officer_id)
    try:
        token = password_links.issue(current_user, officer)
    except DomainError as exc:
        return _officer_page(officer, error=exc.message, status=exc.status_code)
    return _show_link(officer, token, created=False)
