"""Taking numbers and the counter's moves, on the database, with a clock the test sets."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from flask import Flask

from app.core.workdays import WorkingCalendar
from app.extensions import db
from app.feedback.models import Counter
from app.queues import queries, services
from app.queues.models import ServiceQueue, Ticket
from tests.factories.queues import Desk, make_desk, vn

MONDAY = date(2026, 12, 7)
MONDAY_9 = vn(2026, 12, 7, 9, 0)
CALENDAR = WorkingCalendar({})


@pytest.fixture
def desk(app: Flask) -> Iterator[Desk]:
    with app.app_context():
        yield make_desk()
        db.session.rollback()


def _queue(queue_id: int) -> ServiceQueue:
    found = db.session.get(ServiceQueue, queue_id)
    assert found is not None
    return found


def _counter(counter_id: int) -> Counter:
    found = db.session.get(Counter, counter_id)
    assert found is not None
    return found


def _take(desk: Desk, minutes: int, *, priority: bool = False, queue: int | None = None
          ) -> Ticket:
    return services.take_ticket(
        _queue(queue or desk.civil), CALENDAR, now=MONDAY_9 + timedelta(minutes=minutes),
        lane="priority" if priority else "normal",
        priority_reason="elderly" if priority else None)


def _call(desk: Desk, minutes: int, counter: int = 0, queue: int | None = None
          ) -> str | None:
    ticket = services.call_next(_queue(queue or desk.civil), _counter(desk.counters[counter]),
                                now=MONDAY_9 + timedelta(minutes=minutes))
    return ticket.label if ticket else None


def test_numbers_count_up_per_queue_and_start_again_the_next_vietnamese_day(desk: Desk) -> None:
    labels = [_take(desk, m).label for m in (0, 1, 2)]
    assert labels == ["A001", "A002", "A003"]
    assert _take(desk, 3, queue=desk.notary).label == "B001"
    # 23:59 on Monday in Hà Nội is after closing: that number is already for Tuesday.
    evening = services.take_ticket(_queue(desk.civil), CALENDAR, now=vn(2026, 12, 7, 23, 59))
    assert (evening.label, evening.day) == ("A001", date(2026, 12, 8))


def test_numbers_start_again_at_midnight_in_vietnam(desk: Desk) -> None:
    _queue(desk.civil).agency.opening_hours = {}  # no hours set: open all day on weekdays
    # 16:59 and 17:01 UTC: 23:59 on Monday and 00:01 on Tuesday in Hà Nội.
    before = [services.take_ticket(_queue(desk.civil), CALENDAR, now=vn(2026, 12, 7, 23, 59))
              for _ in range(2)]
    after = services.take_ticket(_queue(desk.civil), CALENDAR, now=vn(2026, 12, 8, 0, 1))
    assert [(t.label, t.day) for t in [*before, after]] == [
        ("A001", date(2026, 12, 7)), ("A002", date(2026, 12, 7)), ("A001", date(2026, 12, 8))]


def test_call_next_calls_one_priority_before_each_normal_while_both_wait(desk: Desk) -> None:
    for minute in (0, 1, 2):
        _take(desk, minute)  # A001–A003, normal
    _take(desk, 3, priority=True)  # A004
    _take(desk, 4, priority=True)  # A005
    calls = [_call(desk, 10 + n, counter=n % 2) for n in range(6)]
    assert calls == ["A004", "A001", "A005", "A002", "A003", None]


def test_position_counts_who_will_be_called_first(desk: Desk) -> None:
    first, second = _take(desk, 0), _take(desk, 1)
    late_priority = _take(desk, 2, priority=True)
    assert queries.people_ahead(late_priority) == 0
    assert queries.people_ahead(first) == 1
    assert queries.people_ahead(second) == 2
    _call(desk, 5)  # the priority ticket
    assert queries.people_ahead(late_priority) is None
    assert queries.people_ahead(second) == 1


def test_a_priority_ticket_needs_a_reason_and_a_queue_with_the_lane(desk: Desk) -> None:
    with pytest.raises(services.TicketMoveRefused):
        services.take_ticket(_queue(desk.civil), CALENDAR, now=MONDAY_9, lane="priority")
    with pytest.raises(services.TicketMoveRefused):
        _take(desk, 0, priority=True, queue=desk.notary)


def test_no_show_after_three_calls_goes_back_once_then_ends(desk: Desk) -> None:
    absent = _take(desk, 0)
    others = [_take(desk, m) for m in (1, 2)]
    assert _call(desk, 10) == "A001"
    with pytest.raises(services.TicketMoveRefused):
        services.skip_no_show(absent, now=MONDAY_9 + timedelta(minutes=11))
    services.recall(absent, now=MONDAY_9 + timedelta(minutes=11))
    services.recall(absent, now=MONDAY_9 + timedelta(minutes=12))
    assert absent.call_count == 3
    services.skip_no_show(absent, now=MONDAY_9 + timedelta(minutes=13))
    assert (absent.state, absent.counter_id) == ("waiting", None)
    # Back of the line: behind the two who were waiting.
    assert queries.people_ahead(absent) == 2
    assert [_call(desk, 14), _call(desk, 15), _call(desk, 16)] == ["A002", "A003", "A001"]
    for minute in (17, 18):
        services.recall(absent, now=MONDAY_9 + timedelta(minutes=minute))
    services.skip_no_show(absent, now=MONDAY_9 + timedelta(minutes=19))
    assert absent.state == "no_show"
    assert [t.state for t in others] == ["called", "called"]


def test_transfer_to_another_counter_moves_the_call_there(desk: Desk) -> None:
    ticket = _take(desk, 0)
    _call(desk, 5, counter=0)
    services.transfer_to_counter(ticket, _counter(desk.counters[1]),
                                 now=MONDAY_9 + timedelta(minutes=6))
    board = queries.now_calling(desk.agency_id, MONDAY)
    assert [(t.label, t.counter_id) for t in board] == [("A001", desk.counters[1])]


def test_transfer_to_another_group_keeps_the_number_and_the_time_taken(desk: Desk) -> None:
    civil = _take(desk, 0, priority=True)  # A001 at 9:00
    early_notary = _take(desk, -10, queue=desk.notary)  # B001 at 8:50
    late_notary = _take(desk, 5, queue=desk.notary)  # B002 at 9:05
    _call(desk, 6)
    services.transfer_to_queue(civil, _queue(desk.notary))
    # The notary line has no priority lane: the ticket waits there as a normal one, between
    # the number taken before it and the one taken after.
    assert (civil.label, civil.state, civil.lane) == ("A001", "waiting", "normal")
    assert queries.people_ahead(civil) == 1
    assert [_call(desk, m, queue=desk.notary) for m in (7, 8, 9)] == ["B001", "A001", "B002"]
    assert (early_notary.state, late_notary.state) == ("called", "called")


def test_served_links_the_dossier_and_gives_the_pace_of_the_line(desk: Desk) -> None:
    tickets = [_take(desk, m) for m in (0, 1, 2, 3)]
    _call(desk, 10, counter=0)
    _call(desk, 10, counter=1)
    services.mark_served(tickets[0], now=MONDAY_9 + timedelta(minutes=16))
    services.mark_served(tickets[1], now=MONDAY_9 + timedelta(minutes=20))
    pace = queries.service_pace(desk.civil, MONDAY)
    # 6 and 10 minutes at two counters: 8 minutes a person, two people at a time.
    assert (pace.mean_service, pace.counters) == (timedelta(minutes=8), 2)
    assert pace.expected_wait(queries.people_ahead(tickets[3]) or 0) == timedelta(minutes=4)
    with pytest.raises(services.TicketMoveRefused):
        services.mark_served(tickets[0])


def test_the_holder_may_cancel_while_waiting(desk: Desk) -> None:
    first, second = _take(desk, 0), _take(desk, 1)
    services.cancel(first, now=MONDAY_9)
    assert queries.people_ahead(second) == 0
    assert _call(desk, 5) == "A002"


def test_numbers_of_past_days_nobody_served_expire(desk: Desk) -> None:
    called, served, waiting = _take(desk, 0), _take(desk, 1), _take(desk, 2)
    assert [_call(desk, 5), _call(desk, 6)] == ["A001", "A002"]
    services.mark_served(served, now=MONDAY_9 + timedelta(minutes=7))
    tomorrow = services.take_ticket(_queue(desk.civil), CALENDAR, now=vn(2026, 12, 7, 20, 0))
    # Run on Tuesday: Monday's called-but-unserved and still-waiting numbers end.
    assert services.expire_past(date(2026, 12, 8)) == 2
    db.session.expire_all()
    assert [t.state for t in (called, served, waiting, tomorrow)] == [
        "expired", "served", "expired", "waiting"]


def test_the_days_figures_by_line_and_counter(desk: Desk) -> None:
    from app.queues.rules import opening_moment
    from tests.factories.queues import HOURS

    # Taken the evening before: its wait starts when the desk opens at 7:30.
    early = services.take_ticket(_queue(desk.civil), CALENDAR, now=vn(2026, 12, 6, 20, 0))
    now_taken = _take(desk, 0)  # 9:00
    absent = _take(desk, 1)
    at = MONDAY_9 + timedelta(minutes=10)  # 9:10
    services.call_next(_queue(desk.civil), _counter(desk.counters[0]), now=at)
    services.call_next(_queue(desk.civil), _counter(desk.counters[1]), now=at)
    services.mark_served(early, now=at + timedelta(minutes=6))
    services.mark_served(now_taken, now=at + timedelta(minutes=10))
    services.call_next(_queue(desk.civil), _counter(desk.counters[0]), now=at)
    for minute in (1, 2):
        services.recall(absent, now=at + timedelta(minutes=minute))
    services.skip_no_show(absent, now=at)
    services.call_next(_queue(desk.civil), _counter(desk.counters[0]), now=at)
    for minute in (1, 2):
        services.recall(absent, now=at + timedelta(minutes=minute))
    services.skip_no_show(absent, now=at)
    figures = queries.day_figures(desk.agency_id, MONDAY, opening_moment(MONDAY, HOURS))
    (civil,) = figures["queues"]
    # Waits of 1 h 40 (from 7:30) and 10 min; services of 6 and 10 min.
    assert (civil.name, civil.served, civil.no_show) == ("Hộ tịch", 2, 1)
    assert civil.mean_wait == timedelta(minutes=55)
    assert civil.mean_service == timedelta(minutes=8)
    assert [(c.name, c.served, c.mean_service) for c in figures["counters"]] == [
        ("Quầy 1", 1, timedelta(minutes=6)), ("Quầy 2", 1, timedelta(minutes=10))]
