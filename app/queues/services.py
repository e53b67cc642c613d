"""Every write on queues: take a number, call the next one, recall, no-show, transfer, serve,
cancel. Flush only; the request or command commits (app/core/transaction.py).

`now` is a parameter everywhere so the rules are tested with a clock the test controls."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, cast

from flask_babel import gettext as _
from sqlalchemy import CursorResult, select, update

from app.core.errors import DomainError
from app.core.models import utcnow
from app.core.sequences import bump
from app.core.vntime import vietnam_day
from app.core.workdays import WorkingCalendar
from app.extensions import db
from app.feedback.models import Counter
from app.notifications import ticket_pushes
from app.queues import queries, rules
from app.queues.models import Channel, Lane, QueueSequence, ServiceQueue, Ticket, TicketState

# A ticket claimed by a concurrent caller between our read and our write is tried again;
# past this many the queue is being emptied under us, and "nobody waiting" is the truth.
_CLAIM_ATTEMPTS = 50


# The service groups a commune starts with (the demo, and a commune's first queue page);
# the commune renames, adds or stops them. Prefixes are what the printed number starts with.
STARTER_QUEUES = (("A", "Hộ tịch"), ("B", "Chứng thực"), ("C", "Đất đai"))


def ensure_starter_queues(agency_id: int) -> list[ServiceQueue]:
    """The commune's queues, creating the starter set when it has none at all."""
    existing = queries.queues_of(agency_id, active_only=False)
    if existing:
        return existing
    made = [ServiceQueue(agency_id=agency_id, prefix=prefix, name=name)
            for prefix, name in STARTER_QUEUES]
    db.session.add_all(made)
    db.session.flush()
    return made


_PREFIX = re.compile(r"[A-Z]{1,3}")


def clean_queue(prefix: str, name: str) -> tuple[str, str, dict[str, str]]:
    """The prefix (1–3 capital letters, what numbers start with) and name of a queue form."""
    prefix, name = prefix.strip().upper(), " ".join(name.split())
    errors: dict[str, str] = {}
    if not _PREFIX.fullmatch(prefix):
        errors["prefix"] = _("Ký hiệu là 1 đến 3 chữ cái không dấu, ví dụ A.")
    if not name or len(name) > 120:
        errors["name"] = _("Hãy ghi tên hàng chờ (tối đa 120 ký tự).")
    return prefix, name, errors


def save_queue(agency_id: int, prefix: str, name: str, *, priority_lane: bool, active: bool,
               queue: ServiceQueue | None = None) -> tuple[ServiceQueue | None, dict[str, str]]:
    """Add a queue to the commune, or change one; errors by field when the form is wrong.
    The prefix stays unique in the commune, so two lines' numbers never read alike."""
    prefix, name, errors = clean_queue(prefix, name)
    taken = {q.prefix: q.id for q in queries.queues_of(agency_id, active_only=False)}
    if not errors and prefix in taken and (queue is None or taken[prefix] != queue.id):
        errors["prefix"] = _("Xã đã có hàng chờ ký hiệu %(prefix)s.", prefix=prefix)
    if errors:
        return None, errors
    if queue is None:
        queue = ServiceQueue(agency_id=agency_id)
        db.session.add(queue)
    queue.prefix, queue.name = prefix, name
    queue.priority_lane, queue.active = priority_lane, active
    db.session.flush()
    return queue, {}


def expire_past(today: date, *, now: datetime | None = None) -> int:
    """Numbers of days before `today` still waiting or called end as expired (run daily by
    `flask queues expire`); how many."""
    result = cast(CursorResult[Any], db.session.execute(
        update(Ticket).where(Ticket.day < today,
                             Ticket.state.in_((TicketState.WAITING, TicketState.CALLED)))
        .values(state=TicketState.EXPIRED, finished_at=now or utcnow())
        .execution_options(synchronize_session=False)))
    return int(result.rowcount or 0)


class TicketMoveRefused(DomainError):
    """The ticket is not in a state that allows this (already served, not yet called, …)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="ticket_state")


def take_ticket(queue: ServiceQueue, calendar: WorkingCalendar, *, lane: str = Lane.NORMAL,
                priority_reason: str | None = None, channel: str = Channel.PHONE,
                now: datetime | None = None) -> Ticket:
    """A new number in `queue` for the day the desk next serves (rules.service_day)."""
    now = now or utcnow()
    if not queue.active:
        raise TicketMoveRefused(_("Hàng chờ này đang tạm ngừng lấy số."))
    if lane == Lane.PRIORITY:
        if not queue.priority_lane:
            raise TicketMoveRefused(_("Hàng chờ này không có lối ưu tiên."))
        if priority_reason not in rules.PRIORITY_REASONS:
            raise TicketMoveRefused(_("Hãy chọn lý do ưu tiên."))
    else:
        lane, priority_reason = Lane.NORMAL, None
    day = rules.service_day(now, queue.agency.opening_hours or {}, calendar)
    number = bump(QueueSequence, queue_id=queue.id, day=day)
    ticket = Ticket(agency_id=queue.agency_id, issued_queue=queue, queue=queue, day=day,
                    number=number, lane=lane, priority_reason=priority_reason,
                    channel=channel, taken_at=now, queued_at=now)
    db.session.add(ticket)
    db.session.flush()
    return ticket


def _claim(ticket_id: int, counter: Counter, officer_id: int | None, now: datetime) -> bool:
    """Mark one waiting ticket called, only if it is still waiting (the guard that makes a
    race on SQLite, which has no SKIP LOCKED, lose cleanly instead of calling twice)."""
    result = cast(CursorResult[Any], db.session.execute(
        update(Ticket).where(Ticket.id == ticket_id, Ticket.state == TicketState.WAITING)
        .values(state=TicketState.CALLED, counter_id=counter.id, officer_id=officer_id,
                called_at=now, last_called_at=now, call_count=1)
        .execution_options(synchronize_session=False)))
    return bool(result.rowcount)


def call_next(queue: ServiceQueue, counter: Counter, *, officer_id: int | None = None,
              now: datetime | None = None) -> Ticket | None:
    """"Gọi số tiếp theo": the next waiting ticket of today's line, called to `counter`.

    On PostgreSQL the candidate is read with FOR NO KEY UPDATE SKIP LOCKED, so two officers
    pressing at once each lock a different ticket without waiting for each other."""
    now = now or utcnow()
    day = vietnam_day(now)
    for _attempt in range(_CLAIM_ATTEMPTS):
        waiting = queries.waiting_lanes(queue.id, day)
        lane = rules.next_lane(queries.last_called_lane(queue.id, day),
                               Lane.PRIORITY in waiting, Lane.NORMAL in waiting)
        if lane is None:
            return None
        candidate = db.session.scalar(
            select(Ticket.id).where(Ticket.queue_id == queue.id, Ticket.day == day,
                                    Ticket.state == TicketState.WAITING, Ticket.lane == lane)
            .order_by(Ticket.queued_at, Ticket.id).limit(1)
            # NO KEY UPDATE: the pushes another call writes about waiting tickets reference
            # them (a KEY SHARE lock), which a plain FOR UPDATE would deadlock with.
            .with_for_update(skip_locked=True, key_share=True))
        if candidate is not None and _claim(candidate, counter, officer_id, now):
            ticket = db.session.get(Ticket, candidate, populate_existing=True)
            assert ticket is not None  # noqa: S101 (just claimed in this transaction)
            ticket_pushes.called(ticket)
            return ticket
    return None


def _require(ticket: Ticket, *states: str) -> None:
    if ticket.state not in states:
        raise TicketMoveRefused(_("Số %(label)s không còn ở trạng thái cho phép việc này.",
                                  label=ticket.label))


def recall(ticket: Ticket, *, now: datetime | None = None) -> Ticket:
    """Call the same number again (the display shows it anew, the chime sounds)."""
    _require(ticket, TicketState.CALLED)
    ticket.call_count += 1
    ticket.last_called_at = now or utcnow()
    db.session.flush()
    ticket_pushes.called(ticket)
    return ticket


def skip_no_show(ticket: Ticket, *, now: datetime | None = None) -> Ticket:
    """Nobody came after CALLS_BEFORE_NO_SHOW calls. The first time the ticket goes to the
    back of its line (it keeps its number); the second time it ends as a no-show."""
    _require(ticket, TicketState.CALLED)
    if not rules.may_skip_as_no_show(ticket.call_count):
        raise TicketMoveRefused(_("Hãy gọi số %(label)s đủ %(calls)d lần trước khi bỏ qua.",
                                  label=ticket.label, calls=rules.CALLS_BEFORE_NO_SHOW))
    now = now or utcnow()
    if ticket.requeued:
        ticket.state, ticket.finished_at = TicketState.NO_SHOW, now
    else:
        ticket.requeued = True
        _back_to_waiting(ticket)
        ticket.queued_at = now
    db.session.flush()
    return ticket


def _back_to_waiting(ticket: Ticket) -> None:
    ticket.state = TicketState.WAITING
    ticket.counter_id = ticket.officer_id = None
    ticket.called_at = ticket.last_called_at = None
    ticket.call_count = 0


def transfer_to_counter(ticket: Ticket, counter: Counter, *,
                        now: datetime | None = None) -> Ticket:
    """The person is sent to another counter of the commune: called there, shown there."""
    _require(ticket, TicketState.CALLED)
    if counter.agency_id != ticket.agency_id:
        raise TicketMoveRefused(_("Quầy này không thuộc xã của số %(label)s.",
                                  label=ticket.label))
    ticket.counter_id = counter.id
    ticket.last_called_at = now or utcnow()
    ticket.call_count = 1
    db.session.flush()
    db.session.refresh(ticket, ["counter"])
    ticket_pushes.called(ticket)
    return ticket


def transfer_to_queue(ticket: Ticket, queue: ServiceQueue) -> Ticket:
    """The person needs another service group: they wait in that line, keeping their number
    and the time they took it, so they stand where they would have stood had they chosen
    that group at first. A priority claim stays only where that line has a priority lane."""
    _require(ticket, TicketState.WAITING, TicketState.CALLED)
    if queue.agency_id != ticket.agency_id or queue.id == ticket.queue_id:
        raise TicketMoveRefused(_("Không chuyển được số %(label)s sang hàng chờ này.",
                                  label=ticket.label))
    ticket.queue = queue
    if not queue.priority_lane:
        ticket.lane, ticket.priority_reason = Lane.NORMAL, None
    _back_to_waiting(ticket)
    ticket.queued_at = ticket.taken_at
    db.session.flush()
    return ticket


def mark_served(ticket: Ticket, *, now: datetime | None = None) -> Ticket:
    """The person has been served at the counter (the dossier, if any, follows: link_dossier)."""
    _require(ticket, TicketState.CALLED)
    now = now or utcnow()
    ticket.state, ticket.served_at, ticket.finished_at = TicketState.SERVED, now, now
    db.session.flush()
    return ticket


def cancel(ticket: Ticket, *, now: datetime | None = None) -> Ticket:
    """The holder gives the number up (from the ticket page)."""
    _require(ticket, TicketState.WAITING, TicketState.CALLED)
    ticket.state, ticket.finished_at = TicketState.CANCELLED, now or utcnow()
    db.session.flush()
    return ticket


def link_dossier(ticket: Ticket, dossier_id: int) -> Ticket:
    """The dossier received at the counter for this ticket's holder (counter intake)."""
    _require(ticket, TicketState.SERVED)
    ticket.dossier_id = dossier_id
    db.session.flush()
    return ticket
