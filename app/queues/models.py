"""Queues, their daily number counters and the tickets people hold."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import Base, TimestampMixin, enum_check, utcnow

if TYPE_CHECKING:
    from app.feedback.models import Counter
    from app.places.models import Agency


class Lane(enum.StrEnum):
    NORMAL = "normal"
    PRIORITY = "priority"


class TicketState(enum.StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVED = "served"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class Channel(enum.StrEnum):
    PHONE = "phone"  # the village page or the hall's QR, no account
    DESK = "desk"  # an officer or the door tablet, for someone without a phone


class ServiceQueue(TimestampMixin, Base):
    """One line of people for a service group of a commune (hộ tịch, chứng thực, …).

    `prefix` starts the printed number (A015) and is unique in the commune, so two queues'
    numbers never read alike on the hall display."""

    __tablename__ = "queues"
    __table_args__ = (UniqueConstraint("agency_id", "prefix"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    prefix: Mapped[str] = mapped_column(String(3))
    name: Mapped[str] = mapped_column(String(120))
    # The commune decides whether this queue keeps a priority lane (Decree 118/2025).
    priority_lane: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)

    agency: Mapped[Agency] = relationship()


class QueueSequence(Base):
    """The last number given per queue and service day (a Vietnamese calendar day)."""

    __tablename__ = "queue_sequences"
    __table_args__ = (UniqueConstraint("queue_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id", ondelete="CASCADE"))
    day: Mapped[date]
    last: Mapped[int] = mapped_column(default=0)


class Ticket(Base):
    """A number held by one person for one service day. No name or phone is stored.

    `issued_queue_id` and `number` never change (they are what is printed); `queue_id` is
    where it waits now, which a transfer to another group changes. `queued_at` orders the
    waiting: a no-show sent back once gets a new one, the back of the line."""

    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("issued_queue_id", "day", "number"),
        CheckConstraint(enum_check("lane", Lane), name="lane"),
        CheckConstraint(enum_check("state", TicketState), name="state"),
        CheckConstraint(enum_check("channel", Channel), name="channel"),
        CheckConstraint("lane = 'normal' OR priority_reason IS NOT NULL",
                        name="priority_reason"),
        CheckConstraint("state <> 'called' OR (counter_id IS NOT NULL AND called_at IS NOT NULL)",
                        name="called_at_counter"),
        CheckConstraint("state <> 'served' OR served_at IS NOT NULL", name="served_stamped"),
        Index("ix_tickets_queue_waiting", "queue_id", "day", "state", "queued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    issued_queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id"))
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id"))
    day: Mapped[date]
    number: Mapped[int]
    lane: Mapped[str] = mapped_column(String(10), default=Lane.NORMAL)
    priority_reason: Mapped[str | None] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(10), default=TicketState.WAITING)
    channel: Mapped[str] = mapped_column(String(10), default=Channel.PHONE)
    call_count: Mapped[int] = mapped_column(default=0)
    # Sent back once after not answering its calls; the second time it is a no-show.
    requeued: Mapped[bool] = mapped_column(default=False)
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id", ondelete="SET NULL"))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id", ondelete="SET NULL"))
    taken_at: Mapped[datetime] = mapped_column(default=utcnow)
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    called_at: Mapped[datetime | None]  # the first call: the end of the wait
    last_called_at: Mapped[datetime | None]  # the latest call or recall: what the hall shows
    served_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    issued_queue: Mapped[ServiceQueue] = relationship(foreign_keys=[issued_queue_id])
    queue: Mapped[ServiceQueue] = relationship(foreign_keys=[queue_id])
    counter: Mapped[Counter | None] = relationship()

    @property
    def label(self) -> str:
        """What is printed and shown: the issuing queue's prefix and three digits, A015."""
        return f"{self.issued_queue.prefix}{self.number:03d}"
