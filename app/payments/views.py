"""Payment pages. Citizen: /d/<code>/pay (VietQR, PNG, copy buttons, live status), the
status JSON, the receipt. Officer (/officer/payments/…): counter cash, amount, refunds, the
unmatched queue with matching by hand, a day's reconciliation CSV."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.backoffice import policies as office_policies
from app.core import exports, parsing
from app.core.errors import DomainError
from app.core.qr import qr_png, qr_svg
from app.core.vntime import to_vietnam_time, vietnam_today
from app.dossiers import access
from app.dossiers import policies as dossier_policies
from app.dossiers import queries as dossier_queries
from app.dossiers.models import Dossier
from app.payments import policies, queries, reconcile, services, vietqr
from app.payments.models import CreditState, Payment, PaymentStatus
from app.procedures.fees import format_vnd
from app.pwa.cache_policy import keep_private

if TYPE_CHECKING:
    from app.accounts.models import Officer

bp = Blueprint("payments", __name__)
# Nested in the staff area (app/core/staff_area.py), which denies anyone but an officer.
office = Blueprint("payments_office", __name__, url_prefix="/officer/payments")

STATUS_LABELS: dict[str, Any] = {
    PaymentStatus.PENDING: _l("Chưa thanh toán"),
    PaymentStatus.PARTIAL: _l("Đã thanh toán một phần"),
    PaymentStatus.PAID: _l("Đã thanh toán"),
    PaymentStatus.CANCELLED: _l("Đã huỷ"),
}


def status_label(payment: Payment) -> str:
    return str(STATUS_LABELS.get(payment.status, payment.status))


@bp.app_context_processor
def _template_helpers() -> dict[str, Any]:
    """For the small panels other features' templates include (dossier pages, back office)."""
    return {"payment_for": queries.payment_for, "payment_status_label": status_label,
            "payment_can_handle": policies.can_handle_money, "vnd": format_vnd}


@bp.after_request
def _private(response: Response) -> Response:
    return access.write_cookie(keep_private(response))


def _accessible(code: str) -> Dossier:
    return dossier_policies.load_for_citizen(code, request.args.get("t"))


def _payment(dossier: Dossier) -> Payment:
    payment = queries.payment_for(dossier)
    if payment is None:
        abort(404)
    return payment


@lru_cache(maxsize=512)
def transfer_payload(bank_bin: str, account: str, amount: int, reference: str) -> str:
    return vietqr.build_payload(bank_bin, account, amount, reference)


def payee_account(payment: Payment) -> tuple[str, str, str]:
    """(BIN, account, holder) the payment pays into: the one it was issued for, or the
    commune's current one when it had none then."""
    if payment.bank_bin and payment.bank_account:
        return payment.bank_bin, payment.bank_account, payment.bank_account_name
    agency = payment.dossier.agency
    return agency.bank_bin, agency.bank_account, agency.bank_account_name


def payload_for(payment: Payment) -> str | None:
    """The VietQR text for what is still owed; None when nothing is or no account is set."""
    bank_bin, account, _holder = payee_account(payment)
    if payment.outstanding <= 0 or not (bank_bin and account):
        return None
    return transfer_payload(bank_bin, account, payment.outstanding, payment.reference)


def _bank_name(payment: Payment) -> str:
    agency = payment.dossier.agency
    bank_bin, _account, _holder = payee_account(payment)
    if bank_bin == agency.bank_bin and agency.bank_name:
        return agency.bank_name
    return vietqr.BANK_BINS.get(bank_bin, "")


def _status_json(payment: Payment) -> dict[str, Any]:
    return {"status": payment.status, "label": status_label(payment),
            "amount": payment.amount, "paid_amount": payment.paid_amount,
            "outstanding": payment.outstanding}


@bp.get("/d/<code>/pay")
def pay(code: str) -> Any:
    dossier = _accessible(code)
    payment = _payment(dossier)
    payload = payload_for(payment)
    return render_template(
        "payments/pay.html", dossier=dossier, payment=payment, payload=payload,
        qr=qr_svg(payload) if payload else None,
        bank_name=_bank_name(payment), payee=payee_account(payment),
        status=_status_json(payment))


@bp.get("/d/<code>/pay/qr.png")
def pay_png(code: str) -> Any:
    dossier = _accessible(code)
    payload = payload_for(_payment(dossier))
    if payload is None:
        abort(404)
    response = Response(qr_png(payload, box_size=10), mimetype="image/png")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="thanh-toan-{_payment(dossier).reference}.png"')
    return response


@bp.get("/d/<code>/pay/status")
def pay_status(code: str) -> Any:
    return jsonify(_status_json(_payment(_accessible(code))))


@bp.get("/d/<code>/receipt")
def receipt(code: str) -> Any:
    dossier = _accessible(code)
    payment = _payment(dossier)
    if payment.paid_amount <= 0:
        abort(404)
    return render_template("payments/receipt.html", dossier=dossier, payment=payment,
                           vn_time=to_vietnam_time)


# --- officer ------------------------------------------------------------------------------





def _office_dossier(code: str) -> Dossier:
    dossier = dossier_queries.dossier_by_code(code)
    if dossier is None or not office_policies.can_view_dossier(current_user, dossier):
        abort(404)
    if not policies.can_handle_money(current_user):
        abort(403)
    return dossier


def _int(name: str) -> int:
    """An amount typed by an officer ("150.000", "150,000" or "150000"), bounded."""
    raw = request.form.get(name, "").replace(".", "").replace(",", "").replace(" ", "")
    return parsing.parse_amount(raw, field=_("Số tiền"))


def _back(dossier: Dossier) -> Any:
    return redirect(url_for("staff.backoffice.dossier", code=dossier.code) + "#payment")


def _money_action(code: str, action: Callable[[Dossier, int, str, Officer], object], text: str,
                  done: str) -> Any:
    """An officer's counter action on a dossier's fee: the typed amount and one text field
    go to the service, the done message is flashed, back to the dossier's payment panel."""
    dossier = _office_dossier(code)
    action(dossier, _int("amount"), request.form.get(text, ""), current_user)
    flash(done, "ok")
    return _back(dossier)


@office.post("/<code>/cash")
def record_cash(code: str) -> Any:
    return _money_action(code, services.record_cash, "receipt_number",
                         _("Đã ghi nhận tiền mặt nộp tại quầy."))


@office.post("/<code>/amount")
def set_amount(code: str) -> Any:
    return _money_action(code, services.set_amount, "reason",
                         _("Đã cập nhật số tiền phí, lệ phí."))


@office.post("/<code>/refund")
def refund(code: str) -> Any:
    return _money_action(code, services.record_refund, "note", _("Đã ghi nhận hoàn trả tiền."))


@office.get("/unmatched")
def unmatched() -> Any:
    return render_template("payments/unmatched.html",
                           credits=queries.unmatched_credits(current_user.agency_id),
                           can_match=policies.can_handle_money(current_user),
                           vn_time=to_vietnam_time, today=vietnam_today(),
                           policies=office_policies)  # the back-office nav reads it


@office.post("/unmatched/<int:transaction_id>/match")
def match(transaction_id: int) -> Any:
    credit = queries.credit_of_agency(transaction_id, current_user.agency_id)
    if credit is None:
        abort(404)
    if not policies.can_handle_money(current_user):
        abort(403)
    dossier = dossier_queries.dossier_by_code(request.form.get("dossier_code", ""))
    payment = queries.payment_for(dossier) if dossier is not None else None
    if (dossier is None or payment is None
            or not office_policies.can_view_dossier(current_user, dossier)):
        raise DomainError(_("Không tìm thấy khoản phí của hồ sơ có mã này trong xã."),
                          code="dossier_code")
    reconcile.match_by_hand(credit, payment, current_user)
    flash(_("Đã gắn khoản tiền với hồ sơ %(code)s.", code=dossier.code), "ok")
    return redirect(url_for(".unmatched"))


@office.get("/report.csv")
def report_csv() -> Any:
    day = parsing.parse_date(request.args["day"], field=_("Ngày")) \
        if request.args.get("day") else vietnam_today()
    credits = queries.credits_of_day(current_user.agency_id, day)
    rows: list[list[Any]] = [["received_at", "provider", "transaction_id", "amount", "content",
                              "state", "reference", "dossier_code"]]
    totals = {"credits": 0, "matched": 0, "unmatched": 0}
    for c in credits:
        if c.state == CreditState.IGNORED:
            continue  # money going out is not a fee
        totals["credits"] += c.amount
        totals[c.state] += c.amount
        rows.append([to_vietnam_time(c.received_at).isoformat(timespec="seconds"),
                     c.provider, c.provider_id, c.amount, c.content, c.state,
                     c.payment.reference if c.payment else "",
                     c.payment.dossier.code if c.payment else ""])
    rows += [[f"total_{key}", "", "", value, "", "", "", ""] for key, value in totals.items()]
    return exports.csv_response(rows, f"doi-soat-{day.isoformat()}.csv")
