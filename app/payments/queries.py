"""Reads for payments: a dossier's payment, the unmatched queue, a day's credits."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.dossiers.models import Dossier
from app.extensions import db
from app.payments.models import BankTransaction, CreditState, Payment


def payment_for(dossier: Dossier) -> Payment | None:
    return db.session.scalar(select(Payment).where(Payment.dossier_id == dossier.id))


def fee_settled(dossier: Dossier) -> bool:
    """Nothing is owed: the rule for handing over a result, on paper or for download."""
    payment = payment_for(dossier)
    return payment is None or payment.outstanding <= 0


def unmatched_credits(agency_id: int, limit: int = 200) -> list[BankTransaction]:
    """Credits to this commune's account that named no payment, oldest first."""
    return list(db.session.scalars(
        select(BankTransaction)
        .where(BankTransaction.agency_id == agency_id,
               BankTransaction.state == CreditState.UNMATCHED.value)
        .order_by(BankTransaction.received_at, BankTransaction.id).limit(limit)))


def credit_of_agency(transaction_id: int, agency_id: int) -> BankTransaction | None:
    found = db.session.get(BankTransaction, transaction_id)
    return found if found is not None and found.agency_id == agency_id else None


def credits_of_day(agency_id: int, day: date) -> list[BankTransaction]:
    return list(db.session.scalars(
        select(BankTransaction)
        .where(BankTransaction.agency_id == agency_id, BankTransaction.received_day == day)
        .order_by(BankTransaction.received_at, BankTransaction.id)))
