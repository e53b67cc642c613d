"""Reads on queues: what waits, a ticket's place in line, the expected wait, the hall board."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from app.core.vntime import to_vietnam_time
from app.extensions import db
from app.queues import rules
from app.queues.models import Lane, ServiceQueue, Ticket, TicketState


def queues_of(agency_id: int, *, active_only: bool = True) -> list[ServiceQueue]:
    stmt = select(ServiceQueue).where(ServiceQueue.agency_id == agency_id)
    if active_only:
        stmt = stmt.where(ServiceQueue.active.is_(True))
    return list(db.session.scalars(stmt.order_by(ServiceQueue.prefix)))


def waiting_lanes(queue_id: int, day: date) -> set[str]:
    """The lanes that have someone waiting now."""
    return set(db.session.scalars(
        select(Ticket.lane).where(Ticket.queue_id == queue_id, Ticket.day == day,
                                  Ticket.state == TicketState.WAITING).distinct()))


def last_called_lane(queue_id: int, day: date) -> str | None:
    """The lane of the latest first call in this line today (what the alternation follows)."""
    return db.session.scalar(
        select(Ticket.lane).where(Ticket.queue_id == queue_id, Ticket.day == day,
                                  Ticket.called_at.is_not(None))
        .order_by(Ticket.called_at.desc(), Ticket.id.desc()).limit(1))


def waiting_in_call_order(queue_id: int, day: date) -> list[int]:
    """The ids of the waiting tickets, in the order "Gọi số tiếp theo" will call them."""
    rows = db.session.execute(
        select(Ticket.id, Ticket.lane).where(Ticket.queue_id == queue_id, Ticket.day == day,
                                             Ticket.state == TicketState.WAITING)
        .order_by(Ticket.queued_at, Ticket.id)).all()
    priority = [row.id for row in rows if row.lane == Lane.PRIORITY]
    normal = [row.id for row in rows if row.lane == Lane.NORMAL]
    return rules.call_order(priority, normal, last_called_lane(queue_id, day))


def people_ahead(ticket: Ticket) -> int | None:
    """How many will be called before this ticket; None once it is no longer waiting."""
    if ticket.state != TicketState.WAITING:
        return None
    return waiting_in_call_order(ticket.queue_id, ticket.day).index(ticket.id)


def _between(start: datetime, end: datetime) -> timedelta:
    # SQLite gives stored moments back naive (UTC): compare them as aware moments.
    return to_vietnam_time(end) - to_vietnam_time(start)


@dataclass(frozen=True)
class ServicePace:
    """Today's pace of one line: the mean time a counter spends on a person, and how many
    counters called from the line today."""

    mean_service: timedelta | None
    counters: int

    def expected_wait(self, ahead: int) -> timedelta | None:
        """The wait before `ahead` more people are served, or None without a figure today."""
        if self.mean_service is None:
            return None
        return self.mean_service * ahead / max(self.counters, 1)


def service_pace(queue_id: int, day: date) -> ServicePace:
    served = db.session.execute(
        select(Ticket.called_at, Ticket.served_at).where(
            Ticket.queue_id == queue_id, Ticket.day == day,
            Ticket.state == TicketState.SERVED)).all()
    durations = [_between(row.called_at, row.served_at) for row in served
                 if row.called_at is not None and row.served_at is not None]
    counters = db.session.scalar(
        select(func.count(Ticket.counter_id.distinct())).where(
            Ticket.queue_id == queue_id, Ticket.day == day, Ticket.counter_id.is_not(None))) or 0
    mean = sum(durations, timedelta()) / len(durations) if durations else None
    return ServicePace(mean, int(counters))


def now_calling(agency_id: int, day: date) -> list[Ticket]:
    """The ticket each counter called last today (still at that counter), counter order."""
    tickets = db.session.scalars(
        select(Ticket).where(Ticket.agency_id == agency_id, Ticket.day == day,
                             Ticket.state == TicketState.CALLED)
        .order_by(Ticket.last_called_at.desc(), Ticket.id.desc())).all()
    latest: dict[int, Ticket] = {}
    for ticket in tickets:
        if ticket.counter_id is not None:
            latest.setdefault(ticket.counter_id, ticket)
    return sorted(latest.values(), key=lambda t: t.counter_id or 0)


def waiting_counts(agency_id: int, day: date) -> dict[int, int]:
    """How many wait in each queue of the commune for that day: {queue id: count}."""
    rows = db.session.execute(
        select(Ticket.queue_id, func.count()).where(
            Ticket.agency_id == agency_id, Ticket.day == day,
            Ticket.state == TicketState.WAITING).group_by(Ticket.queue_id)).all()
    return {queue_id: int(count) for queue_id, count in rows}


def served_ticket_of(officer: Any, raw_id: str | None) -> Ticket | None:
    """The served ticket of the officer's commune, not yet linked to a dossier, named by
    the counter-intake form; None for anything else (a stale or foreign id is ignored)."""
    if not raw_id or not raw_id.isdigit() or len(raw_id) > 9:
        return None
    ticket = db.session.get(Ticket, int(raw_id))
    if ticket is None or ticket.agency_id != getattr(officer, "agency_id", None) \
            or ticket.state != TicketState.SERVED or ticket.dossier_id is not None:
        return None
    return ticket


def hall_board(agency_id: int, day: date) -> list[dict[str, Any]]:
    """The hall screen's "Mời số" band: the number each counter called last, counter order,
    with when and how often it was called (a recall is a new moment: the chime sounds)."""
    return [{"counter": ticket.counter.name if ticket.counter else "", "label": ticket.label,
             "queue": ticket.queue.name, "calls": ticket.call_count,
             "at": ticket.last_called_at.isoformat() if ticket.last_called_at else None}
            for ticket in now_calling(agency_id, day)]


def ticket_status(ticket: Ticket) -> dict[str, Any]:
    """What the ticket page and the API say about a ticket now: people ahead (None once no
    longer waiting), the expected wait in whole minutes (None without figures today)."""
    ahead = people_ahead(ticket)
    wait = None
    if ahead is not None:
        expected = service_pace(ticket.queue_id, ticket.day).expected_wait(ahead)
        wait = math.ceil(expected.total_seconds() / 60) if expected is not None else None
    return {"ticket": ticket, "ahead": ahead, "wait_minutes": wait}


@dataclass(frozen=True)
class DayFigures:
    """One line's or one counter's day: people served and skipped, the mean wait (from
    taking the number, or from opening time for a number taken earlier, to the first call)
    and the mean service (first call to served)."""

    name: str
    served: int
    no_show: int
    mean_wait: timedelta | None
    mean_service: timedelta | None


def _mean(values: list[timedelta]) -> timedelta | None:
    return sum(values, timedelta()) / len(values) if values else None


def day_figures(agency_id: int, day: date, opens_at: datetime) -> dict[str, list[DayFigures]]:
    """The back office's figures of a day, by line and by counter."""
    tickets = db.session.scalars(select(Ticket).where(
        Ticket.agency_id == agency_id, Ticket.day == day,
        Ticket.state.in_((TicketState.SERVED, TicketState.NO_SHOW)))).all()

    def figures(name: str, group: list[Ticket]) -> DayFigures:
        served = [t for t in group if t.state == TicketState.SERVED]
        waits = [to_vietnam_time(t.called_at) - max(to_vietnam_time(t.taken_at), opens_at)
                 for t in served if t.called_at is not None]
        services = [_between(t.called_at, t.served_at) for t in served
                    if t.served_at is not None and t.called_at is not None]
        return DayFigures(name, len(served), len(group) - len(served),
                          _mean(waits), _mean(services))

    by_queue: dict[str, list[Ticket]] = {}
    by_counter: dict[str, list[Ticket]] = {}
    for ticket in tickets:
        by_queue.setdefault(ticket.queue.name, []).append(ticket)
        if ticket.counter is not None and ticket.state == TicketState.SERVED:
            by_counter.setdefault(ticket.counter.name, []).append(ticket)
    return {"queues": [figures(n, g) for n, g in sorted(by_queue.items())],
            "counters": [figures(n, g) for n, g in sorted(by_counter.items())]}
