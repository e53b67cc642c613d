"""The outbox rows a queue call writes for the tickets' phones: who gets which text, once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from flask import Flask
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.core.workdays import WorkingCalendar
from app.extensions import db
from app.feedback.models import Counter
from app.notifications.models import Notification
from app.queues import services
from app.queues.models import ServiceQueue, Ticket
from tests.factories.queues import Desk, make_desk, vn

MONDAY_9 = vn(2026, 12, 7, 9, 0)
CALENDAR = WorkingCalendar({})


@pytest.fixture
def desk(app: Flask) -> Iterator[Desk]:
    with app.app_context():
        yield make_desk()
        db.session.rollback()


def _take(queue_id: int, minutes: int) -> Ticket:
    queue = db.session.get(ServiceQueue, queue_id)
    assert queue is not None
    return services.take_ticket(queue, CALENDAR, now=MONDAY_9 + timedelta(minutes=minutes))


def _call(desk: Desk, minutes: int, counter: int = 1) -> Ticket:
    queue, desk_counter = db.session.get(ServiceQueue, desk.civil), \
        db.session.get(Counter, desk.counters[counter])
    assert queue is not None and desk_counter is not None
    ticket = services.call_next(queue, desk_counter, now=MONDAY_9 + timedelta(minutes=minutes))
    assert ticket is not None
    return ticket


def _outbox() -> list[tuple[str, str, str]]:
    db.session.flush()
    rows = db.session.scalars(select(Notification).order_by(Notification.id)).all()
    return [(row.ticket.label if row.ticket else "", row.kind, row.payload["title"])
            for row in rows]


def test_a_call_pushes_the_called_number_and_once_to_those_three_or_fewer_away(
        desk: Desk) -> None:
    civil = [_take(desk.civil, minute) for minute in range(6)]  # A001 … A006
    other_line = _take(desk.notary, 7)  # B001
    assert _outbox() == []
    _call(desk, 10)
    assert _outbox() == [
        ("A001", "queue_called", "Mời số A001 đến Quầy 2"),
        ("A003", "queue_near", "Sắp đến lượt bạn: còn 1 người trước số A003"),
        ("A004", "queue_near", "Sắp đến lượt bạn: còn 2 người trước số A004"),
        ("A005", "queue_near", "Sắp đến lượt bạn: còn 3 người trước số A005"),
    ]
    _call(desk, 15, counter=0)  # A002 to Quầy 1: A006 now has three ahead, the rest heard
    services.recall(civil[1], now=MONDAY_9 + timedelta(minutes=16))
    assert _outbox()[4:] == [
        ("A002", "queue_called", "Mời số A002 đến Quầy 1"),
        ("A006", "queue_near", "Sắp đến lượt bạn: còn 3 người trước số A006"),
        ("A002", "queue_called", "Mời số A002 đến Quầy 1"),
    ]
    assert other_line.label not in {label for label, _kind, _title in _outbox()}
    rows = db.session.scalars(select(Notification).order_by(Notification.id)).all()
    assert rows[0].payload["body"] == "Cán bộ đang chờ bạn tại Quầy 2."
    assert rows[1].payload["body"] == "Hãy có mặt ở khu vực chờ của Hộ tịch."
    assert rows[0].payload["url"].startswith("/q/t/")
    assert {row.dossier_id for row in rows} == {None}
    assert [row.urgency for row in rows[:2]] == ["high", "high"]
    assert rows[0].ticket is not None and rows[0].ticket.day == date(2026, 12, 7)


def test_the_texts_have_english_translations(app: Flask) -> None:
    with app.test_request_context(), force_locale("en"):
        assert _("Mời số %(label)s đến %(counter)s", label="A015", counter="Quầy 2") \
            == "Number A015 to Quầy 2"
        assert _("Sắp đến lượt bạn: còn %(ahead)d người trước số %(label)s",
                 ahead=3, label="A015") == "Almost your turn: 3 people before number A015"


def test_a_transfer_to_another_counter_pushes_the_new_counter(desk: Desk) -> None:
    _take(desk.civil, 0)
    ticket = _call(desk, 5, counter=0)
    counter = db.session.get(Counter, desk.counters[1])
    assert counter is not None
    services.transfer_to_counter(ticket, counter, now=MONDAY_9 + timedelta(minutes=6))
    assert _outbox() == [("A001", "queue_called", "Mời số A001 đến Quầy 1"),
                         ("A001", "queue_called", "Mời số A001 đến Quầy 2")]
