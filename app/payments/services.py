"""Every write to payments: create one for a dossier, credit it (bank, cash), adjust its
amount, refund, cancel. Flush only; the request commits once.

When is a payment created? When the dossier is received (`workflow.apply(..., "receive")`),
not at submission: the receiving officer has checked the answers the fee depends on (pages,
copies) and whether the citizen is exempt, and a dossier refused at the desk then never asks
for money. Procedures whose fee the catalogue cannot compute get one when the officer sets
the amount. Free procedures never get one.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from app.core.errors import DomainError
from app.core.models import utcnow
from app.core.vntime import vietnam_day
from app.dossiers.models import Dossier, DossierEvent, DossierStatus
from app.extensions import db
from app.notifications import outbox as push_outbox
from app.payments import fees, queries
from app.payments.models import (
    BankTransaction,
    CreditState,
    EntryKind,
    Payment,
    PaymentEntry,
    PaymentSequence,
    PaymentStatus,
)

if TYPE_CHECKING:
    from app.accounts.models import Officer

REFERENCE_PREFIX = "MC"
MAX_AMOUNT = 1_000_000_000  # a commune fee is never a billion đồng: a typo


def payment_of(dossier: Dossier, *, lock: bool = False) -> Payment | None:
    stmt = select(Payment).where(Payment.dossier_id == dossier.id)
    if lock:
        # Two notices for one payment at once: the second waits here and sees the first's sum.
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return db.session.scalar(stmt)


def lock_payment(payment: Payment) -> Payment:
    return db.session.scalars(
        select(Payment).where(Payment.id == payment.id).with_for_update()
        .execution_options(populate_existing=True)).one()


def next_reference(now: datetime | None = None) -> str:
    """MC + YYMMDD + a 4-digit daily sequence (5+ digits past 9,999): short enough to type,
    unique through one upsert on the day's counter."""
    day = vietnam_day(now or utcnow())
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(PaymentSequence).values(day=day, last=1).on_conflict_do_update(
        index_elements=[PaymentSequence.day], set_={"last": PaymentSequence.last + 1},
    ).returning(PaymentSequence.last)
    seq = db.session.execute(stmt).scalar_one()
    return f"{REFERENCE_PREFIX}{day:%y%m%d}{seq:04d}"


def _event(dossier: Dossier, action: str, *, officer: Officer | None = None, note: str = "",
           **data: Any) -> DossierEvent:
    """A timeline entry that changes no status (payments run beside the workflow)."""
    event = DossierEvent(action=action, at=utcnow(), from_status=dossier.status,
                         to_status=dossier.status,
                         actor_kind="officer" if officer else "system",
                         officer_id=officer.id if officer else None, note=note.strip(),
                         data=data)
    dossier.events.append(event)
    # The citizen's notification (if the notifications feature has one for this action),
    # written in the same transaction as the event.
    push_outbox.enqueue_for_event(event, dossier)
    return event


def create_for_received(dossier: Dossier) -> Payment | None:
    """On receipt: a payment when the catalogue gives a fee above zero, else nothing."""
    procedure = dossier.procedure
    if procedure.is_free or payment_of(dossier) is not None:
        return None
    quote = fees.quote_for(procedure, dossier.answers, dossier.agency)
    if quote.total <= 0:
        return None
    return _new_payment(dossier, quote.total, [line.as_dict() for line in quote.lines])


def _new_payment(dossier: Dossier, amount: int, lines: list[dict[str, Any]]) -> Payment:
    # Issued for the commune's account of today: it keeps that account if the commune
    # changes it later (app/admin/bank.py).
    agency = dossier.agency
    payment = Payment(dossier_id=dossier.id, reference=next_reference(), amount=amount,
                      fee_lines=lines, status=PaymentStatus.PENDING.value,
                      bank_bin=agency.bank_bin, bank_account=agency.bank_account,
                      bank_account_name=agency.bank_account_name)
    db.session.add(payment)
    db.session.flush()
    return payment


def _settle(payment: Payment, dossier: Dossier, officer: Officer | None = None,
            **data: Any) -> None:
    """Status from the sums; a timeline entry the moment the fee becomes fully paid."""
    if payment.status == PaymentStatus.CANCELLED:
        return
    was_paid = payment.status == PaymentStatus.PAID
    if payment.paid_amount >= payment.amount:
        payment.status = PaymentStatus.PAID.value
    elif payment.paid_amount > 0:
        payment.status = PaymentStatus.PARTIAL.value
    else:
        payment.status = PaymentStatus.PENDING.value
    if payment.status == PaymentStatus.PAID and not was_paid:
        payment.paid_at = utcnow()
        _event(dossier, "payment_confirmed", officer=officer, amount=payment.paid_amount,
               reference=payment.reference, **data)


def credit(payment: Payment, amount: int, kind: EntryKind, *,
           transaction: BankTransaction | None = None, officer: Officer | None = None,
           receipt_number: str = "", note: str = "") -> PaymentEntry:
    """Money received for this payment (the caller holds the payment's row lock)."""
    if amount <= 0:
        raise DomainError(_("Số tiền phải lớn hơn 0."), code="amount")
    entry = PaymentEntry(payment_id=payment.id, kind=kind.value, amount=amount,
                         bank_transaction_id=transaction.id if transaction else None,
                         receipt_number=receipt_number, officer_id=officer.id if officer else None,
                         note=note)
    db.session.add(entry)
    payment.paid_amount += amount
    if transaction is not None:
        transaction.state = CreditState.MATCHED.value
        transaction.payment_id = payment.id
        transaction.matched_by_officer_id = officer.id if officer else None
    extra: dict[str, Any] = {"method": kind.value}
    if receipt_number:
        extra["receipt_number"] = receipt_number
    if transaction is not None:
        extra["transaction_id"] = transaction.provider_id
    _settle(payment, payment.dossier, officer, **extra)
    db.session.flush()
    return entry


def record_cash(dossier: Dossier, amount: int, receipt_number: str,
                officer: Officer) -> PaymentEntry:
    """A fee paid in cash at the counter, with the receipt (biên lai) number."""
    payment = payment_of(dossier, lock=True)
    if payment is None:
        raise DomainError(_("Hồ sơ này chưa có khoản phí nào để thu."), code="no_payment")
    if not receipt_number.strip():
        raise DomainError(_("Vui lòng ghi số biên lai."), code="receipt_number")
    return credit(payment, _valid_amount(amount), EntryKind.CASH, officer=officer,
                  receipt_number=receipt_number.strip())


def _valid_amount(amount: int, *, zero_ok: bool = False) -> int:
    if amount < 0 or (amount == 0 and not zero_ok) or amount > MAX_AMOUNT:
        raise DomainError(_("Số tiền không hợp lệ."), code="amount")
    return amount


def set_amount(dossier: Dossier, amount: int, reason: str, officer: Officer) -> Payment:
    """The receiving officer sets or corrects the fee, with a reason on the timeline."""
    if not reason.strip():
        raise DomainError(_("Vui lòng ghi lý do điều chỉnh số tiền."), code="reason")
    amount = _valid_amount(amount, zero_ok=True)
    payment = payment_of(dossier, lock=True)
    if payment is None:
        if dossier.procedure.is_free:
            raise DomainError(_("Thủ tục này miễn phí, lệ phí."), code="free")
        payment = _new_payment(dossier, amount, [{"label": _("Phí, lệ phí do cán bộ xác định"),
                                                  "rule": reason.strip(), "amount": amount}])
        previous = None
    else:
        if payment.status == PaymentStatus.CANCELLED:
            raise DomainError(_("Khoản phí đã huỷ, không thể điều chỉnh."), code="cancelled")
        previous = payment.amount
        payment.amount = amount
    _event(dossier, "payment_adjusted", officer=officer, note=reason,
           previous_amount=previous, amount=amount, reference=payment.reference)
    _settle(payment, dossier, officer)
    db.session.flush()
    return payment


def record_refund(dossier: Dossier, amount: int, note: str, officer: Officer) -> PaymentEntry:
    """Money given back (over-payment, cancelled dossier); never more than is due back."""
    payment = payment_of(dossier, lock=True)
    if payment is None:
        raise DomainError(_("Hồ sơ này chưa có khoản phí nào."), code="no_payment")
    amount = _valid_amount(amount)
    if amount > payment.refund_due:
        raise DomainError(_("Số tiền hoàn lớn hơn số tiền phải hoàn trả."), code="amount")
    entry = PaymentEntry(payment_id=payment.id, kind=EntryKind.REFUND.value, amount=amount,
                         officer_id=officer.id, note=note.strip())
    db.session.add(entry)
    payment.refunded_amount += amount
    _event(dossier, "payment_refunded", officer=officer, note=note, amount=amount,
           reference=payment.reference)
    db.session.flush()
    return entry


def cancel_for_dossier(dossier: Dossier) -> None:
    """The dossier was refused or withdrawn: nothing more is owed; anything paid is refunded."""
    payment = payment_of(dossier, lock=True)
    if payment is not None and payment.status != PaymentStatus.CANCELLED:
        payment.status = PaymentStatus.CANCELLED.value


def ensure_result_can_be_returned(dossier: Dossier) -> None:
    """The result is handed over only once the fee is paid (the desk can take it in cash)."""
    if not queries.fee_settled(dossier):
        payment = payment_of(dossier)
        assert payment is not None  # only a payment can leave something owed
        from app.procedures.fees import format_vnd

        raise DomainError(
            _("Chưa thể trả kết quả: công dân còn phải nộp %(amount)s đồng phí, lệ phí "
              "(mã thanh toán %(reference)s). Hãy thu tiền mặt tại quầy và ghi biên lai, "
              "hoặc chờ chuyển khoản.", amount=format_vnd(payment.outstanding),
              reference=payment.reference), code="fee_unpaid")


CLOSING_ACTIONS = frozenset({"reject", "withdraw"})


def after_move(dossier: Dossier, action: str) -> None:
    """Called by workflow.apply after each move."""
    if action == "receive":
        create_for_received(dossier)
    elif action in CLOSING_ACTIONS and dossier.status in (DossierStatus.REJECTED,
                                                          DossierStatus.WITHDRAWN):
        cancel_for_dossier(dossier)
