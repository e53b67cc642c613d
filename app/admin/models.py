"""One-time password links for officers, and proposed changes of a commune's bank account."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Officer
from app.core.models import Base, enum_check, utcnow
from app.places.models import Agency


class PasswordLink(Base):
    """A single-use link that lets an officer choose a new password. Only the SHA-256 of the
    token is stored: the database alone opens nothing."""

    __tablename__ = "password_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id", ondelete="CASCADE"),
                                            index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    officer: Mapped[Officer] = relationship(foreign_keys=[officer_id])


class ChangeStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class BankAccountChange(Base):
    """A change of the account villagers' fees go to, proposed by one admin and in force
    only once a second one approves. Old and new values are kept for the record."""

    __tablename__ = "bank_account_changes"
    __table_args__ = (
        CheckConstraint(enum_check("status", ChangeStatus), name="status"),
        # One open proposal per commune, enforced by the database on every backend.
        Index("uq_bank_account_changes_pending", "agency_id", unique=True,
              sqlite_where=text("status = 'pending'"),
              postgresql_where=text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=ChangeStatus.PENDING.value)
    old_bank_bin: Mapped[str] = mapped_column(String(6), default="")
    old_bank_name: Mapped[str] = mapped_column(String(120), default="")
    old_bank_account: Mapped[str] = mapped_column(String(30), default="")
    old_bank_account_name: Mapped[str] = mapped_column(String(200), default="")
    new_bank_bin: Mapped[str] = mapped_column(String(6))
    new_bank_name: Mapped[str] = mapped_column(String(120))
    new_bank_account: Mapped[str] = mapped_column(String(30))
    new_bank_account_name: Mapped[str] = mapped_column(String(200))
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    decided_at: Mapped[datetime | None]

    agency: Mapped[Agency] = relationship()
    proposed_by: Mapped[Officer] = relationship(foreign_keys=[proposed_by_id])
    decided_by: Mapped[Officer | None] = relationship(foreign_keys=[decided_by_id])

    FIELDS = ("bank_bin", "bank_name", "bank_account", "bank_account_name")

    def old(self) -> dict[str, str]:
        return {name: getattr(self, "old_" + name) for name in self.FIELDS}

    def new(self) -> dict[str, str]:
        return {name: getattr(self, "new_" + name) for name in self.FIELDS}
