"""Fee payments of dossiers, the bank credits that pay them, and the ledger tying the two."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import Base, enum_check, utcnow

if TYPE_CHECKING:
    from app.dossiers.models import Dossier


class PaymentStatus(enum.StrEnum):
    PENDING = "pending"     # nothing received yet
    PARTIAL = "partial"     # less than the amount received
    PAID = "paid"           # the amount (or more: see refund_due) received
    CANCELLED = "cancelled"  # the dossier was refused or withdrawn: anything paid goes back


class CreditState(enum.StrEnum):
    MATCHED = "matched"
    UNMATCHED = "unmatched"  # waits in the officers' queue
    IGNORED = "ignored"      # money going out, or a zero amount: not a fee


class EntryKind(enum.StrEnum):
    BANK = "bank"        # a bank credit, automatically or by hand
    CASH = "cash"        # paid at the counter, with a receipt number
    REFUND = "refund"    # money given back (negative on the balance)


class Payment(Base):
    """What one dossier owes and has paid. `paid_amount` and `refunded_amount` are the sums of
    its ledger entries, kept here so the status poll reads one row."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint(enum_check("status", PaymentStatus), name="status"),
        CheckConstraint("amount >= 0", name="amount"),
        CheckConstraint("paid_amount >= 0 AND refunded_amount >= 0", name="sums"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"),
                                            unique=True)
    # The transfer content the QR code carries (MC + YYMMDD + sequence), unique everywhere.
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    amount: Mapped[int]
    fee_lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    paid_amount: Mapped[int] = mapped_column(default=0)
    refunded_amount: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(10), default=PaymentStatus.PENDING.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    paid_at: Mapped[datetime | None]
    # The commune's account when the payment was issued: its QR code keeps pointing there and
    # a transfer to it still reconciles after the commune changes account (app/admin/bank.py).
    # Empty when the commune had no account yet; the current one is shown then.
    bank_bin: Mapped[str] = mapped_column(String(6), default="")
    bank_account: Mapped[str] = mapped_column(String(30), default="", index=True)
    bank_account_name: Mapped[str] = mapped_column(String(200), default="")

    dossier: Mapped[Dossier] = relationship()
    entries: Mapped[list[PaymentEntry]] = relationship(
        back_populates="payment", order_by="PaymentEntry.id")

    @property
    def outstanding(self) -> int:
        if self.status == PaymentStatus.CANCELLED:
            return 0
        return max(self.amount - self.paid_amount, 0)

    @property
    def refund_due(self) -> int:
        """Money to give back: all of it once cancelled, otherwise what exceeds the amount."""
        keep = 0 if self.status == PaymentStatus.CANCELLED else self.amount
        return max(self.paid_amount - self.refunded_amount - keep, 0)


class BankTransaction(Base):
    """One notice from the bank (or a notification service), stored once per provider id."""

    __tablename__ = "bank_transactions"
    __table_args__ = (
        UniqueConstraint("provider", "provider_id"),
        CheckConstraint(enum_check("state", CreditState), name="state"),
        Index("ix_bank_transactions_agency_state", "agency_id", "state"),
        Index("ix_bank_transactions_received_day", "received_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(20))
    provider_id: Mapped[str] = mapped_column(String(100))
    amount: Mapped[int]
    content: Mapped[str] = mapped_column(Text, default="")
    account_number: Mapped[str] = mapped_column(String(30), default="")
    bank_bin: Mapped[str] = mapped_column(String(6), default="")
    transaction_time: Mapped[datetime | None]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Vietnam's calendar day of receipt: the reconciliation report's key.
    received_day: Mapped[date]
    # The commune whose account was credited (None: an account we do not know).
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    state: Mapped[str] = mapped_column(String(10), default=CreditState.UNMATCHED.value)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), index=True)
    matched_by_officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    raw: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    payment: Mapped[Payment | None] = relationship()


class PaymentEntry(Base):
    """Append-only ledger: every amount received or refunded. A bank credit appears at most
    once (unique), so nothing is counted twice whatever the order of notices and clicks."""

    __tablename__ = "payment_entries"
    __table_args__ = (
        CheckConstraint(enum_check("kind", EntryKind), name="kind"),
        CheckConstraint("amount > 0", name="amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id", ondelete="CASCADE"),
                                            index=True)
    kind: Mapped[str] = mapped_column(String(10))
    amount: Mapped[int]
    bank_transaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("bank_transactions.id"), unique=True)
    receipt_number: Mapped[str] = mapped_column(String(40), default="")
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)

    payment: Mapped[Payment] = relationship(back_populates="entries")
    bank_transaction: Mapped[BankTransaction | None] = relationship()


class PaymentSequence(Base):
    """Last reference number issued per day (Vietnam's calendar)."""

    __tablename__ = "payment_sequences"

    day: Mapped[date] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)
