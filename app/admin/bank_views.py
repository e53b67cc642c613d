"""The commune's bank account under the two-person rule (/admin/commune/bank-account…):
propose a new account, review it beside the current one, approve, refuse or withdraw.
Every view starts with a loader of app/admin/access.py: 403 to a non-admin, 404 for a
commune (or its proposal) the admin does not run."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.admin import access, bank, policies, queries
from app.admin.errors import InvalidInput
from app.admin.models import BankAccountChange
from app.core.errors import DomainError
from app.payments.vietqr import BANK_BINS
from app.places.models import Agency

bp = Blueprint("admin_bank", __name__, url_prefix="/admin/commune")

FIELDS = ("bank_bin", "bank_account", "bank_account_name")
MAX_FIELD = 300


def _page(agency: Agency, *, values: dict[str, str] | None = None,
          errors: dict[str, str] | None = None, error: str | None = None,
          status: int = 200) -> Any:
    return render_template(
        "admin/bank_account.html", agency=agency, current=bank.current_account(agency),
        pending=bank.open_change(agency.id), history=queries.bank_changes_of(agency.id),
        banks=sorted(BANK_BINS.items(), key=lambda item: item[1]), values=values or {},
        errors=errors or {}, error=error, shown_status=bank.shown_status,
        communes=queries.communes() if access.scope() is None else []), status


@bp.get("/bank-account")
def bank_account() -> Any:
    return _page(access.chosen_agency())


@bp.post("/bank-account")
def propose() -> Any:
    agency = access.chosen_agency()
    values = {k: request.form.get(k, "")[:MAX_FIELD] for k in FIELDS}
    try:
        change = bank.propose(current_user, agency,
                              bank.clean_account(values["bank_bin"], values["bank_account"],
                                                 values["bank_account_name"]))
    except InvalidInput as exc:
        return _page(agency, values=values, errors={exc.field: exc.message}, status=422)
    except DomainError as exc:
        return _page(agency, values=values, error=exc.message, status=exc.status_code)
    flash(_("Đã gửi đề nghị đổi tài khoản. Tài khoản mới chỉ có hiệu lực khi một quản trị "
            "viên khác của xã duyệt."), "ok")
    return redirect(url_for(".review", change_id=change.id))


def _change(change_id: int) -> BankAccountChange:
    found = queries.bank_change_in(access.scope(), change_id)  # 403 first for a non-admin
    if found is None:
        abort(404)
    return found


def _review(change: BankAccountChange, error: str | None = None, status: int = 200) -> Any:
    return render_template(
        "admin/bank_change.html", change=change, agency=change.agency,
        current=bank.current_account(change.agency), status=bank.shown_status(change),
        open=bank.is_open(change), banks=BANK_BINS, error=error,
        can_decide=policies.can_decide_bank_change(current_user, change.agency_id,
                                                   change.proposed_by_id),
        is_proposer=current_user.id == change.proposed_by_id), status


@bp.get("/bank-account/changes/<int:change_id>")
def review(change_id: int) -> Any:
    return _review(_change(change_id))


def _steps() -> dict[str, tuple[Any, str]]:
    return {
        "approve": (bank.approve, _("Đã duyệt. Từ bây giờ, khoản phí mới được chuyển vào tài "
                                    "khoản mới; các khoản đã phát hành vẫn giữ tài khoản cũ.")),
        "refuse": (bank.refuse, _("Đã từ chối đề nghị. Tài khoản của xã giữ nguyên.")),
        "withdraw": (bank.withdraw, _("Đã rút đề nghị. Tài khoản của xã giữ nguyên.")),
    }


@bp.post("/bank-account/changes/<int:change_id>/<step>")
def decide(change_id: int, step: str) -> Any:
    """approve | refuse | withdraw; the rules of each are app/admin/bank.py's."""
    change = _change(change_id)
    found = _steps().get(step)
    if found is None:
        abort(404)
    action, done = found
    try:
        action(current_user, change)
    except DomainError as exc:
        return _review(change, exc.message, exc.status_code)
    flash(done, "ok")
    return redirect(url_for(".review", change_id=change.id))
