"""Push subscriptions, the notification outbox and one delivery record per (notification,
subscription)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import Base, utcnow
from app.dossiers.models import Dossier, DossierEvent
from app.queues.models import Ticket


class NotificationStatus(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"  # every subscription of the dossier answered (or was removed)
    NO_SUBSCRIPTION = "no_subscription"  # nobody to push to: the in-app inbox still shows it
    FAILED = "failed"  # gave up after the last retry


# A subscription follows every dossier this phone opened or submitted after subscribing.
subscription_dossiers = Table(
    "push_subscription_dossiers",
    Base.metadata,
    Column("subscription_id", ForeignKey("push_subscriptions.id", ondelete="CASCADE"),
           primary_key=True),
    Column("dossier_id", ForeignKey("dossiers.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)

# A phone can follow a queue ticket the same way: pushed when its turn nears and when called.
subscription_tickets = Table(
    "push_subscription_tickets",
    Base.metadata,
    Column("subscription_id", ForeignKey("push_subscriptions.id", ondelete="CASCADE"),
           primary_key=True),
    Column("ticket_id", ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class PushSubscription(Base):
    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Endpoints can be long; the hash is what is unique and looked up.
    endpoint_hash: Mapped[str] = mapped_column(String(64), unique=True)
    endpoint: Mapped[str] = mapped_column(Text)
    p256dh: Mapped[str] = mapped_column(String(100))
    auth: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    dossiers: Mapped[list[Dossier]] = relationship(secondary=subscription_dossiers)
    tickets: Mapped[list[Ticket]] = relationship(secondary=subscription_tickets)

    def info(self) -> dict[str, Any]:
        """The PushSubscription JSON the browser gave, as pywebpush takes it."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


class Notification(Base):
    """The outbox row, written in the same transaction as the dossier event (or the queue
    call): about one dossier or one ticket."""

    __tablename__ = "notifications"
    __table_args__ = (
        # The worker's claim: due pending rows, oldest first.
        Index("ix_notifications_status_next_attempt", "status", "next_attempt_at"),
        Index("ix_notifications_dossier_status", "dossier_id", "status"),
        Index("ix_notifications_ticket_status", "ticket_id", "status"),
        # "Sắp đến lượt bạn" once per ticket, even when two counters call at the same moment.
        Index("uq_notifications_ticket_near", "ticket_id", unique=True,
              postgresql_where=text("kind = 'queue_near'"),
              sqlite_where=text("kind = 'queue_near'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int | None] = mapped_column(
        ForeignKey("dossiers.id", ondelete="CASCADE"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("dossier_events.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(30))
    # {"title", "body", "url"}: what the phone shows; Vietnamese, nothing personal but the code.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    ttl: Mapped[int]
    urgency: Mapped[str] = mapped_column(String(10), default="normal")
    status: Mapped[str] = mapped_column(String(20), default=NotificationStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A worker owns a claimed row until then; a killed worker's rows come back after it.
    lease_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(60))
    last_error: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]

    dossier: Mapped[Dossier | None] = relationship()
    ticket: Mapped[Ticket | None] = relationship()
    event: Mapped[DossierEvent | None] = relationship()
    deliveries: Mapped[list[Delivery]] = relationship(
        back_populates="notification", order_by="Delivery.id", cascade="all, delete-orphan")


class Delivery(Base):
    """One push of one notification to one subscription. The unique pair is what makes a
    retry, or a second worker, skip a phone that already has the message."""

    __tablename__ = "push_deliveries"
    __table_args__ = (UniqueConstraint("notification_id", "subscription_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), index=True)
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("push_subscriptions.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10))  # delivered | failed
    status_code: Mapped[int | None]
    at: Mapped[datetime] = mapped_column(default=utcnow)

    notification: Mapped[Notification] = relationship(back_populates="deliveries")
