"""Dossiers, their files and their append-only event log."""

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
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import Base, TimestampMixin, enum_check, utcnow

if TYPE_CHECKING:
    from app.places.models import Agency, Village
    from app.procedures.models import Procedure, ProcedureDocument


class DossierStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    RECEIVED = "received"
    NEEDS_SUPPLEMENT = "needs_supplement"
    REJECTED = "rejected"
    IN_PROGRESS = "in_progress"
    AWAITING_APPROVAL = "awaiting_approval"
    RESULT_READY = "result_ready"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"


class Channel(enum.StrEnum):
    ONLINE = "online"
    COUNTER = "counter"


class ReturnChannel(enum.StrEnum):
    """How the result reached the citizen (DOMAIN.md: at the counter, by post, online)."""

    COUNTER = "counter"
    POST = "post"
    ONLINE = "online"


class CollectorRelation(enum.StrEnum):
    """Who collected the result at the counter, as the applicant's who."""

    SELF = "self"
    FAMILY = "family"
    AUTHORISED = "authorised"


class FileKind(enum.StrEnum):
    APPLICATION = "application"
    SUPPLEMENT = "supplement"
    RESULT = "result"


def _statuses(*statuses: DossierStatus) -> str:
    return f"({','.join(repr(s.value) for s in statuses)})"


# What the workflow has stamped by the time a dossier is in a status (workflow.apply):
# receipt stamps received_at and the due date; the result, finished_at; its hand-over,
# returned_at. A row that says otherwise was not made by the workflow.
_RECEIVED = _statuses(DossierStatus.RECEIVED, DossierStatus.IN_PROGRESS,
                      DossierStatus.AWAITING_APPROVAL, DossierStatus.RESULT_READY,
                      DossierStatus.RETURNED)
_NEVER_RECEIVED = _statuses(DossierStatus.SUBMITTED, DossierStatus.REJECTED)
_FINISHED = _statuses(DossierStatus.RESULT_READY, DossierStatus.RETURNED)
STATUS_STAMP_CHECKS = {
    "received_stamped": f"status NOT IN {_RECEIVED} "
                        "OR (received_at IS NOT NULL AND due_date IS NOT NULL)",
    # Only the desk's receipt ends "submitted"; a refusal comes before any receipt.
    "not_yet_received": f"status NOT IN {_NEVER_RECEIVED} OR received_at IS NULL",
    "finished_stamped": f"(status IN {_FINISHED} AND finished_at IS NOT NULL) "
                        f"OR (status NOT IN {_FINISHED} AND finished_at IS NULL)",
    "returned_stamped": "(status = 'returned' AND returned_at IS NOT NULL) "
                        "OR (status <> 'returned' AND returned_at IS NULL)",
}
# A result handed over at the counter names who took it (app/dossiers/handover.py).
COLLECTOR_CHECK = ("return_channel IS NULL OR return_channel <> 'counter' "
                   "OR (collector_name IS NOT NULL AND collector_id_number IS NOT NULL "
                   "AND collector_relation IS NOT NULL)")


class Dossier(TimestampMixin, Base):
    __tablename__ = "dossiers"
    __table_args__ = (
        CheckConstraint(enum_check("status", DossierStatus), name="status"),
        CheckConstraint(enum_check("channel", Channel), name="channel"),
        *(CheckConstraint(sql, name=name) for name, sql in STATUS_STAMP_CHECKS.items()),
        CheckConstraint(f"return_channel IS NULL OR {enum_check('return_channel', ReturnChannel)}",
                        name="return_channel"),
        CheckConstraint("collector_relation IS NULL OR "
                        f"{enum_check('collector_relation', CollectorRelation)}",
                        name="collector_relation"),
        CheckConstraint(COLLECTOR_CHECK, name="collector_named"),
        Index("ix_dossiers_agency_status_due", "agency_id", "status", "due_date"),
        Index("ix_dossiers_agency_submitted", "agency_id", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"), index=True)
    applicant_name: Mapped[str] = mapped_column(String(200))
    applicant_name_folded: Mapped[str] = mapped_column(String(200), index=True)
    citizen_id_number: Mapped[str] = mapped_column(String(12))
    # Optional on the form; kept because the citizen ID's century digit was checked against it.
    applicant_birth_date: Mapped[date | None]
    phone: Mapped[str] = mapped_column(String(10), index=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default=DossierStatus.SUBMITTED.value)
    channel: Mapped[str] = mapped_column(String(10), default=Channel.ONLINE.value)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    received_at: Mapped[datetime | None]
    # The appointment date (ngày hẹn trả), a calendar date in Vietnam's time zone.
    due_date: Mapped[date | None]
    finished_at: Mapped[datetime | None]
    returned_at: Mapped[datetime | None]
    # The hand-over of the result (set by the return move; also kept in its event).
    return_channel: Mapped[str | None] = mapped_column(String(10))
    collector_name: Mapped[str | None] = mapped_column(String(200))
    collector_id_number: Mapped[str | None] = mapped_column(String(12))
    collector_relation: Mapped[str | None] = mapped_column(String(20))
    assigned_officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    receiving_officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    # The citizen account the dossier is saved to (signed in when applying, or proved later).
    citizen_account_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id"),
                                                           index=True)
    # sha256 hex of the secret in the tracking link; the secret itself is never stored.
    tracking_secret_hash: Mapped[str] = mapped_column(String(64))
    # The key the form was opened with: a retried POST finds the same dossier.
    idempotency_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    request_fingerprint: Mapped[str] = mapped_column(String(64), default="")
    # When the retention sweep (or an accepted deletion request) blanked the applicant's
    # fields; status, dates, procedure and village stay for the public figures.
    anonymised_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    procedure: Mapped[Procedure] = relationship()
    agency: Mapped[Agency] = relationship()
    village: Mapped[Village | None] = relationship()
    files: Mapped[list[DossierFile]] = relationship(
        back_populates="dossier", order_by="DossierFile.id", cascade="all, delete-orphan"
    )
    events: Mapped[list[DossierEvent]] = relationship(
        back_populates="dossier", order_by="DossierEvent.id"
    )

    # Optimistic locking: a stale write raises StaleDataError instead of a double move.
    __mapper_args__ = {"version_id_col": version}

    @property
    def kept_files(self) -> list[DossierFile]:
        """The files whose content is still stored (the retention sweep erases others)."""
        return [f for f in self.files if f.erased_at is None]


class DossierFile(Base):
    __tablename__ = "dossier_files"
    __table_args__ = (CheckConstraint(enum_check("kind", FileKind), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"),
                                            index=True)
    requirement_id: Mapped[int | None] = mapped_column(ForeignKey("procedure_documents.id"))
    kind: Mapped[str] = mapped_column(String(12), default=FileKind.APPLICATION.value)
    storage_key: Mapped[str] = mapped_column(String(80), unique=True)
    original_name: Mapped[str] = mapped_column(String(200), default="")
    content_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The content was deleted from the file store when its retention ran out; the row stays
    # because the audit trail names it.
    erased_at: Mapped[datetime | None]

    dossier: Mapped[Dossier] = relationship(back_populates="files")
    requirement: Mapped[ProcedureDocument | None] = relationship()


class DossierEvent(Base):
    """Append-only: rows are inserted, never updated or deleted."""

    __tablename__ = "dossier_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"),
                                            index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    actor_kind: Mapped[str] = mapped_column(String(10))  # citizen | officer | system
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    dossier: Mapped[Dossier] = relationship(back_populates="events")


class EventIsAppendOnly(Exception):
    """Something tried to change or delete a written DossierEvent through the ORM."""


@event.listens_for(DossierEvent, "before_update")
def _refuse_event_update(_mapper: Any, _connection: Any, target: DossierEvent) -> None:
    # before_update also fires for rows that are only "dirty" through a relationship;
    # only a change to a column is refused.
    state = inspect(target)
    if any(state.attrs[c.key].history.has_changes() for c in state.mapper.column_attrs):
        raise EventIsAppendOnly(f"dossier event {target.id} cannot be changed")


@event.listens_for(DossierEvent, "before_delete")
def _refuse_event_delete(_mapper: Any, _connection: Any, target: DossierEvent) -> None:
    raise EventIsAppendOnly(f"dossier event {target.id} cannot be deleted")


class DossierSequence(Base):
    """Last sequence number issued per agency and day, for dossier codes."""

    __tablename__ = "dossier_sequences"
    __table_args__ = (UniqueConstraint("agency_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    day: Mapped[date]
    last: Mapped[int] = mapped_column(default=0)
