"""Many phones taking a number and many officers calling at once, on PostgreSQL (where
concurrent transactions really overlap): no number is given twice, no ticket called twice."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.core.transaction import commit
from app.core.workdays import WorkingCalendar
from app.extensions import db
from app.feedback.models import Counter
from app.notifications.models import Notification
from app.queues import services
from app.queues.models import ServiceQueue, Ticket
from tests.factories.queues import Desk, make_desk, vn

pytestmark = pytest.mark.committed
MONDAY_9 = vn(2026, 12, 7, 9, 0)


def _at_once(app: Flask, count: int, work: Callable[[], Any]) -> list[Any]:
    """Run `work` in `count` threads released together, each in its own app context and
    transaction, committed at the end as a request would be. The engine's pool (15
    connections) is how many really overlap; the others queue for a connection."""
    gate = threading.Barrier(count)
    results: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        with app.app_context():
            gate.wait()
            try:
                results.append(work())
                commit()
            except BaseException as exc:  # noqa: BLE001 (reported by the test below)
                errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    return results


@pytest.fixture
def desk(app: Flask, backend: str) -> Desk:
    if backend != "postgresql":
        pytest.skip("concurrent transactions are meaningful on PostgreSQL (--db=postgresql)")
    with app.app_context():
        made = make_desk()
        commit()
        return made


def test_fifty_numbers_taken_at_once_are_fifty_consecutive_numbers(app: Flask,
                                                                   desk: Desk) -> None:
    def take() -> int:
        queue = db.session.get(ServiceQueue, desk.civil)
        assert queue is not None
        return services.take_ticket(queue, WorkingCalendar({}), now=MONDAY_9).number

    numbers = _at_once(app, 50, take)
    assert sorted(numbers) == list(range(1, 51))
    with app.app_context():
        stored = db.session.scalars(select(Ticket.number).where(
            Ticket.day == date(2026, 12, 7))).all()
    assert sorted(stored) == list(range(1, 51))


def test_twenty_officers_calling_at_once_get_twenty_different_tickets_in_order(
        app: Flask, desk: Desk) -> None:
    with app.app_context():
        queue = db.session.get(ServiceQueue, desk.civil)
        assert queue is not None
        for _ in range(25):
            services.take_ticket(queue, WorkingCalendar({}), now=MONDAY_9)
        # Twenty counters, so each call has its own desk as in a big hall.
        db.session.add_all(Counter(agency_id=desk.agency_id, name=f"Quầy {n}")
                           for n in range(3, 21))
        commit()
        counter_ids = db.session.scalars(select(Counter.id).where(
            Counter.agency_id == desk.agency_id).order_by(Counter.id)).all()
    assert len(counter_ids) == 20
    next_counter = iter(counter_ids)
    lock = threading.Lock()

    def call() -> int | None:
        with lock:
            counter_id = next(next_counter)
        queue = db.session.get(ServiceQueue, desk.civil)
        counter = db.session.get(Counter, counter_id)
        assert queue is not None and counter is not None
        ticket = services.call_next(queue, counter, now=vn(2026, 12, 7, 9, 30))
        return ticket.number if ticket else None

    called = _at_once(app, 20, call)
    # Twenty different tickets, and they are the first twenty in line.
    assert sorted(n for n in called if n is not None) == list(range(1, 21))
    with app.app_context():
        rows = db.session.execute(select(Ticket.number, Ticket.state, Ticket.counter_id)
                                  .order_by(Ticket.number)).all()
    assert [row.state for row in rows] == ["called"] * 20 + ["waiting"] * 5
    # Each called number's phone is told once; nobody hears "sắp đến lượt" twice, and A025,
    # still four behind, not at all.
    with app.app_context():
        pushes = db.session.execute(
            select(Ticket.number, Notification.kind).join(Ticket, Notification.ticket_id
                                                          == Ticket.id)).all()
    called_pushes = sorted(number for number, kind in pushes if kind == "queue_called")
    near = [number for number, kind in pushes if kind == "queue_near"]
    assert called_pushes == list(range(1, 21))
    assert len(near) == len(set(near)) and 25 not in near
    assert len({row.counter_id for row in rows[:20]}) == 20
