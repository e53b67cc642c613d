"""The pushes a queue ticket's phone gets: its turn is near, and it is called (or recalled,
or sent to another counter). Written into the call's own transaction, through the outbox."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.notifications.models import Notification
from app.notifications.outbox import enqueue_for_ticket, enqueue_once_for_ticket
from app.queues import queries
from app.queues.models import Ticket

# "Sắp đến lượt bạn" goes once per ticket, as soon as this many people or fewer are ahead
# of it: time to walk back from the market, not so early that they wander off again.
NEAR_TURN = 3


def called(ticket: Ticket) -> None:
    """"Mời số A015 đến Quầy 2" for the ticket just called, then the near-turn pushes the
    call made due in its line."""
    enqueue_for_ticket(ticket, "queue_called")
    near_turn(ticket.queue_id, ticket)


def near_turn(queue_id: int, called_ticket: Ticket) -> None:
    """Every waiting ticket of the line with 1 to NEAR_TURN people ahead that has not had
    its near-turn push yet gets it, with its count (ticket ids in order: concurrent calls
    insert in the same order, so they wait on each other instead of deadlocking)."""
    order = queries.waiting_in_call_order(queue_id, called_ticket.day)
    due = {ticket_id: ahead for ahead, ticket_id in enumerate(order) if 1 <= ahead <= NEAR_TURN}
    if not due:
        return
    told = set(db.session.scalars(
        select(Notification.ticket_id).where(Notification.ticket_id.in_(due),
                                             Notification.kind == "queue_near")))
    for ticket_id, ahead in sorted(due.items()):
        if ticket_id in told:
            continue
        ticket = db.session.get(Ticket, ticket_id)
        if ticket is not None:
            enqueue_once_for_ticket(ticket, "queue_near", ahead=ahead)
