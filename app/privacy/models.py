"""The citizen's requests about their data, recorded breaches, and each sweep's record."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import Base, enum_check, utcnow

if TYPE_CHECKING:
    from app.accounts.models import Officer
    from app.dossiers.models import Dossier


class RequestKind(enum.StrEnum):
    CORRECTION = "correction"
    DELETION = "deletion"


class RequestStatus(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"          # corrected, or deleted (anonymised)
    REFUSED = "refused"    # not done, with the reason in the answer
    KEPT = "kept"          # deletion asked, but the law requires the data to be kept


class DataRequest(Base):
    """A citizen's request to correct or delete their data in one dossier."""

    __tablename__ = "privacy_requests"
    __table_args__ = (
        CheckConstraint(enum_check("kind", RequestKind), name="kind"),
        CheckConstraint(enum_check("status", RequestStatus), name="status"),
        Index("ix_privacy_requests_agency_status", "agency_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"),
                                            index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    kind: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=RequestStatus.PENDING.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the answer is due (rights.due_at_for: 72 hours under Decree 13).
    due_at: Mapped[datetime]
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))

    dossier: Mapped[Dossier] = relationship()
    answered_by: Mapped[Officer | None] = relationship()


class Incident(Base):
    """A personal-data breach recorded by an admin (Decree 13 Art. 23)."""

    __tablename__ = "privacy_incidents"
    __table_args__ = (Index("ix_privacy_incidents_agency_started", "agency_id",
                            "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    summary: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime]
    discovered_at: Mapped[datetime]
    # Kinds of data concerned: keys of the retention schedule (rights.DATA_KINDS).
    data_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The scope: an officer account and a time window, and/or dossier codes.
    scope_officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    window_start: Mapped[datetime | None]
    window_end: Mapped[datetime | None]
    scope_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    consequences: Mapped[str] = mapped_column(Text, default="")
    measures: Mapped[str] = mapped_column(Text, default="")
    late_reason: Mapped[str] = mapped_column(Text, default="")
    authority_notified_at: Mapped[datetime | None]
    people_notified_at: Mapped[datetime | None]

    recorded_by: Mapped[Officer] = relationship(foreign_keys=[recorded_by_id])
    scope_officer: Mapped[Officer | None] = relationship(foreign_keys=[scope_officer_id])


class SweepRecord(Base):
    """What one retention sweep did: counts per kind (no personal data)."""

    __tablename__ = "privacy_sweeps"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
