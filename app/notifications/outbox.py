"""Writes notification rows into the caller's transaction, so a dossier event and the
message about it are committed together or not at all; the worker sends them later."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session, object_session

from app.core import transaction
from app.core.sequences import upsert_insert
from app.dossiers.models import Dossier, DossierEvent
from app.extensions import db
from app.notifications import messages
from app.notifications.models import Notification
from app.queues.models import Ticket

# Set after a commit that wrote notifications: a worker thread in this process wakes at once
# instead of at its next poll. Worker processes are woken by PostgreSQL (CHANNEL below), and
# their listener sets this same event.
WAKE = threading.Event()
# The PostgreSQL channel a worker process LISTENs on.
CHANNEL = "motcua_outbox"
_NOTIFIED = "motcua_outbox_notified"


def enqueue(dossier: Dossier, kind: str, *, note: str = "", data: dict[str, Any] | None = None,
            event: DossierEvent | None = None) -> Notification:
    """Add one notification for the dossier to the current session (no flush, no commit)."""
    spec = messages.KINDS[kind]
    notification = Notification(
        dossier=dossier, kind=kind,
        payload=messages.build(kind, dossier, note=note, data=data),
        ttl=spec.ttl, urgency=spec.urgency,
    )
    if event is not None:
        notification.event = event
    return _add(notification, dossier)


def enqueue_for_ticket(ticket: Ticket, kind: str, *, ahead: int = 0) -> Notification:
    """Add one notification about a queue ticket to the current session, as enqueue does."""
    spec = messages.KINDS[kind]
    notification = Notification(ticket=ticket, kind=kind,
                                payload=messages.build_for_ticket(kind, ticket, ahead=ahead),
                                ttl=spec.ttl, urgency=spec.urgency)
    return _add(notification, ticket)


def enqueue_once_for_ticket(ticket: Ticket, kind: str, *, ahead: int = 0) -> None:
    """As enqueue_for_ticket, unless the ticket has this kind already (the partial unique
    index): a concurrent call that wrote it first wins, this one adds nothing."""
    spec = messages.KINDS[kind]
    session = object_session(ticket) or db.session()
    session.execute(upsert_insert()(Notification).values(
        ticket_id=ticket.id, kind=kind, ttl=spec.ttl, urgency=spec.urgency,
        payload=messages.build_for_ticket(kind, ticket, ahead=ahead),
    ).on_conflict_do_nothing(index_elements=[Notification.ticket_id],
                             index_where=Notification.kind == kind))
    _wake(session)


def _add(notification: Notification, owner: object) -> Notification:
    # The owner's own session, so the row is written by the same commit as the move.
    session = object_session(owner) or db.session()
    session.add(notification)
    _wake(session)
    return notification


def _wake(session: Session) -> None:
    transaction.after_commit(WAKE.set, session)
    _notify_workers(session)


def _notify_workers(session: Session) -> None:
    """NOTIFY the worker processes, once per transaction. PostgreSQL delivers a notification
    only when its transaction commits, and never for a rolled-back one: exactly when a worker
    may find the new rows."""
    if session.get_bind().dialect.name != "postgresql":
        return
    current = session.get_transaction()
    if current is not None and session.info.get(_NOTIFIED) is current:
        return
    session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})
    session.info[_NOTIFIED] = session.get_transaction()


def enqueue_for_move(dossier: Dossier, event: DossierEvent) -> None:
    """The workflow's listener (wired by create_app): the move's notification, if any."""
    enqueue_for_event(event, dossier)


def enqueue_for_event(event: DossierEvent, dossier: Dossier | None = None
                      ) -> Notification | None:
    """A notification if the move concerns the citizen."""
    kind = messages.EVENT_KINDS.get(event.action)
    if kind is None:
        return None
    target = dossier if dossier is not None else event.dossier
    return enqueue(target, kind, note=event.note, data=event.data, event=event)
