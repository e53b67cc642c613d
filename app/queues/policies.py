"""Who may do what with queues: desk officers call at their own commune's counters; the
officers who manage counters also set up the commune's queues."""

from __future__ import annotations

from typing import Any

from app.backoffice.policies import can_receive_at_counter
from app.feedback.models import Counter
from app.feedback.policies import can_manage_counters
from app.queues.models import ServiceQueue, Ticket


def can_work_queue(officer: Any) -> bool:
    """The desk roles (whoever may receive a dossier at the counter) call numbers."""
    return can_receive_at_counter(officer)


def can_call_at(officer: Any, counter: Counter | None, queue: ServiceQueue | None) -> bool:
    return (counter is not None and queue is not None and can_work_queue(officer)
            and officer.agency_id == counter.agency_id == queue.agency_id)


def can_move_ticket(officer: Any, ticket: Ticket | None) -> bool:
    return ticket is not None and can_work_queue(officer) \
        and officer.agency_id == ticket.agency_id


def can_manage_queues(officer: Any) -> bool:
    return can_manage_counters(officer)
