"""A citizen account: one person at one identity provider, keyed by (issuer, subject)."""

from __future__ import annotations

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import Base, TimestampMixin


class Citizen(UserMixin, TimestampMixin, Base):
    __tablename__ = "citizens"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    # Templates tell accounts apart with this (an Officer has no such attribute).
    kind = "citizen"

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(255))
    # What the provider last shared, checked like the apply form checks it; None if not given.
    full_name: Mapped[str] = mapped_column(String(200), default="")
    birth_date: Mapped[date | None]
    citizen_id_number: Mapped[str | None] = mapped_column(String(12))
    phone: Mapped[str | None] = mapped_column(String(10))
    last_login_at: Mapped[datetime | None]

    def get_id(self) -> str:
        return f"citizen:{self.id}"
