"""A commune's settings page (/admin/commune/<slug>/settings): contact, hours, map position,
receipt series and the province-set fee amounts, for the commune's admin (a system admin:
any commune). Staff area: the guard turns away anyone but an officer; the page then checks
the role (403) and the commune (404)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.models import Role
from app.accounts.policies import can_edit_commune_settings
from app.backoffice import policies as office_policies
from app.places import hours
from app.places.models import Agency
from app.places.settings_forms import form_values, parse_settings
from app.places.settings_services import commune_by_slug, fee_rates, fee_slots, save_settings
from app.procedures.fees import per_units

bp = Blueprint("commune_settings", __name__, url_prefix="/admin/commune")


def _managed_commune(slug: str) -> Agency:
    if current_user.role not in (Role.COMMUNE_ADMIN, Role.SYSTEM_ADMIN):
        abort(403)
    found = commune_by_slug(slug)
    # Another commune's page does not exist for a commune admin (as a dossier of theirs).
    if found is None or not can_edit_commune_settings(current_user, found.id):
        abort(404)
    return found


def _render(agency: Agency, values: dict[str, str], errors: dict[str, str],
            status: int = 200) -> Any:
    return render_template(
        "places/settings.html", agency=agency, values=values, errors=errors,
        policies=office_policies,  # the officer navigation asks them
        slots=fee_slots(agency), units=per_units(), days=hours.DAYS,
        day_names=hours.DAY_NAMES, sessions=hours.SESSIONS, field_name=hours.field_name,
        session_labels={"morning": _("Buổi sáng"), "afternoon": _("Buổi chiều"),
                        "extended": _("Giờ làm việc thứ 9 (thêm sau buổi chiều)")},
    ), status


@bp.get("/<slug>/settings")
def settings(slug: str) -> Any:
    agency = _managed_commune(slug)
    slots = fee_slots(agency)
    return _render(agency, form_values(agency, fee_rates(agency), slots), {})


@bp.post("/<slug>/settings")
def save(slug: str) -> Any:
    agency = _managed_commune(slug)
    parsed, errors = parse_settings(request.form.get, fee_slots(agency))
    if parsed is None:
        return _render(agency, request.form.to_dict(), errors, 422)
    changed = save_settings(agency, parsed, current_user)
    flash(_("Đã lưu thiết lập của xã.") if changed else _("Không có gì thay đổi."), "info")
    return redirect(url_for(".settings", slug=agency.slug))
