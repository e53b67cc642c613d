"""Matching bank credits to payments: find the reference in whatever the bank did to the
transfer text, store each notice once, credit the payment or queue the credit for officers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from app.core.errors import DomainError
from app.core.models import utcnow
from app.core.text import fold
from app.core.vntime import vietnam_day
from app.dossiers.models import Dossier
from app.extensions import db
from app.payments import services
from app.payments.models import BankTransaction, CreditState, EntryKind, Payment
from app.places.models import Agency

_NOT_ALNUM = re.compile(r"[^A-Z0-9]")
# After "MC": the date and sequence digits, possibly cut by a few letters a bank inserted
# ("MC261122 FT 0007" → MC261122FT0007). Letters are skipped; the digits must then name a
# payment that exists, so noise cannot invent a match.
_AFTER_PREFIX = re.compile(r"MC((?:[A-Z]{0,6}\d)+)")
DATE_DIGITS = 6
SEQ_DIGITS = (4, 5, 6)


def compact(text: str) -> str:
    """Accent-free, upper-case, letters and digits only: 'mc 261122-0007 chuyển tiền' →
    'MC2611220007CHUYENTIEN'."""
    return _NOT_ALNUM.sub("", fold(text or "").upper())


def reference_candidates(content: str) -> list[str]:
    """Every reference the content could carry, most likely first."""
    text = compact(content)
    found: list[str] = []
    start = 0
    while (match := _AFTER_PREFIX.search(text, start)) is not None:
        digits = re.sub(r"[A-Z]", "", match.group(1))
        for seq in SEQ_DIGITS:
            if len(digits) >= DATE_DIGITS + seq:
                candidate = "MC" + digits[:DATE_DIGITS + seq]
                if candidate not in found:
                    found.append(candidate)
        start = match.start() + 2
    return found


@dataclass(frozen=True)
class BankNotice:
    """One incoming transfer as any provider reports it."""

    provider: str
    provider_id: str
    amount: int
    content: str
    account_number: str = ""
    bank_bin: str = ""
    transaction_time: datetime | None = None
    raw: dict[str, Any] | None = None


@dataclass(frozen=True)
class CreditOutcome:
    outcome: str  # duplicate | matched | partial | overpaid | unmatched | ignored
    reference: str | None = None
    transaction_id: int | None = None


def _agency_for(account_number: str) -> Agency | None:
    """The commune the credited account belongs to: today's holder, else the commune whose
    payments were issued for it before it changed account (app/admin/bank.py)."""
    if not account_number:
        return None
    current = db.session.scalar(select(Agency).where(Agency.bank_account == account_number))
    if current is not None:
        return current
    return db.session.scalar(
        select(Agency).join(Dossier, Dossier.agency_id == Agency.id)
        .join(Payment, Payment.dossier_id == Dossier.id)
        .where(Payment.bank_account == account_number).limit(1))


def _clean(text: str) -> str:
    """Bank text as PostgreSQL text columns accept it (no NUL characters)."""
    return text.replace("\x00", "")


def store_notice(notice: BankNotice, agency: Agency | None) -> BankTransaction | None:
    """Insert the notice unless this provider id was seen: one statement, so ten copies
    arriving at once yield one row (the others get None), with no check-then-insert race."""
    now = utcnow()
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(BankTransaction).values(
        provider=notice.provider, provider_id=_clean(notice.provider_id)[:100],
        amount=notice.amount, content=_clean(notice.content)[:2000],
        account_number=_clean(notice.account_number)[:30], bank_bin=_clean(notice.bank_bin)[:6],
        transaction_time=notice.transaction_time,
        received_at=now, received_day=vietnam_day(now),
        agency_id=agency.id if agency else None, state=CreditState.UNMATCHED.value,
        raw=notice.raw or {},
    ).on_conflict_do_nothing(index_elements=["provider", "provider_id"]).returning(
        BankTransaction.id)
    new_id = db.session.execute(stmt).scalar()
    if new_id is None:
        return None
    return db.session.get(BankTransaction, new_id)


def find_payment(content: str, agency: Agency | None) -> Payment | None:
    candidates = reference_candidates(content)
    if not candidates:
        return None
    rows = {p.reference: p for p in db.session.scalars(
        select(Payment).where(Payment.reference.in_(candidates)))}
    for reference in candidates:
        payment = rows.get(reference)
        # A reference read off another commune's account is not this credit's payment.
        if payment is not None and (agency is None
                                    or payment.dossier.agency_id == agency.id):
            return payment
    return None


def record_credit(notice: BankNotice) -> CreditOutcome:
    """Store a bank notice once and match it. Flush only."""
    agency = _agency_for(notice.account_number)
    transaction = store_notice(notice, agency)
    if transaction is None:
        return CreditOutcome("duplicate")
    if notice.amount <= 0:
        transaction.state = CreditState.IGNORED.value
        return CreditOutcome("ignored", transaction_id=transaction.id)
    payment = find_payment(notice.content, agency)
    if payment is None or (notice.account_number and agency is None):
        return CreditOutcome("unmatched", transaction_id=transaction.id)
    payment = services.lock_payment(payment)
    services.credit(payment, notice.amount, EntryKind.BANK, transaction=transaction)
    return CreditOutcome(outcome_of(payment), payment.reference, transaction.id)


def outcome_of(payment: Payment) -> str:
    if payment.refund_due > 0:
        return "overpaid"
    return "matched" if payment.outstanding == 0 else "partial"


def match_by_hand(transaction: BankTransaction, payment: Payment, officer: Any) -> str:
    """An officer ties a queued credit to a dossier's payment."""
    locked = db.session.scalars(
        select(BankTransaction).where(BankTransaction.id == transaction.id).with_for_update()
        .execution_options(populate_existing=True)).one()
    if locked.state != CreditState.UNMATCHED:
        raise DomainError(_("Khoản tiền này đã được đối soát."), code="already_matched")
    payment = services.lock_payment(payment)
    services.credit(payment, locked.amount, EntryKind.BANK, transaction=locked,
                    officer=officer, note="matched by hand")
    return outcome_of(payment)
