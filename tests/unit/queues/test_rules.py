"""The queue's rules without a database: lanes, call order, the day a number is for."""

from __future__ import annotations

from datetime import date

from app.core.workdays import WorkingCalendar
from app.queues.rules import call_order, may_skip_as_no_show, next_lane, service_day
from tests.factories.queues import HOURS, vn


def test_priority_goes_first_then_the_lanes_alternate_while_both_wait() -> None:
    assert next_lane(None, priority_waiting=True, normal_waiting=True) == "priority"
    assert next_lane("normal", priority_waiting=True, normal_waiting=True) == "priority"
    assert next_lane("priority", priority_waiting=True, normal_waiting=True) == "normal"


def test_one_lane_waiting_is_called_whatever_came_before() -> None:
    assert next_lane("priority", priority_waiting=True, normal_waiting=False) == "priority"
    assert next_lane("normal", priority_waiting=False, normal_waiting=True) == "normal"
    assert next_lane("normal", priority_waiting=False, normal_waiting=False) is None


def test_call_order_interleaves_one_priority_before_each_normal() -> None:
    assert call_order(["P1", "P2"], ["N1", "N2", "N3"], None) == [
        "P1", "N1", "P2", "N2", "N3"]
    # The last call was a priority ticket: a normal one comes first now.
    assert call_order(["P1", "P2", "P3"], ["N1"], "priority") == ["N1", "P1", "P2", "P3"]
    assert call_order([], [], None) == []


def test_a_ticket_may_be_skipped_only_after_three_calls() -> None:
    assert [may_skip_as_no_show(n) for n in (1, 2, 3, 4)] == [False, False, True, True]


def test_a_number_taken_during_opening_hours_is_for_today() -> None:
    calendar = WorkingCalendar({})
    # Monday 7 December 2026, 16:59 in Hà Nội (09:59 UTC).
    assert service_day(vn(2026, 12, 7, 16, 59), HOURS, calendar) == date(2026, 12, 7)
    # Before the desk opens it is still today's line.
    assert service_day(vn(2026, 12, 7, 5, 0), HOURS, calendar) == date(2026, 12, 7)


def test_a_number_taken_in_the_evening_is_for_the_next_open_day() -> None:
    calendar = WorkingCalendar({})
    assert service_day(vn(2026, 12, 7, 17, 0), HOURS, calendar) == date(2026, 12, 8)
    # Friday evening: the commune opens on Saturday morning.
    assert service_day(vn(2026, 12, 4, 20, 0), HOURS, calendar) == date(2026, 12, 5)
    # Saturday afternoon: closed since 11:30, no hours on Sunday, so Monday.
    assert service_day(vn(2026, 12, 5, 12, 0), HOURS, calendar) == date(2026, 12, 7)


def test_the_day_follows_vietnams_clock_not_utc() -> None:
    calendar = WorkingCalendar({})
    # 23:30 UTC on Sunday 6 December is 06:30 on Monday the 7th in Hà Nội.
    monday_morning = vn(2026, 12, 7, 6, 30)
    assert monday_morning.day == 6 and monday_morning.hour == 23
    assert service_day(monday_morning, HOURS, calendar) == date(2026, 12, 7)


def test_holidays_and_the_calendars_decisions_close_the_desk() -> None:
    # New Year's Day 2027 is a Friday holiday: Thursday evening's numbers are for Saturday.
    assert service_day(vn(2026, 12, 31, 18, 0), HOURS, WorkingCalendar({})) == date(2027, 1, 2)
    # An extra day off decided for Tuesday 8 December moves Monday evening's numbers on.
    off = WorkingCalendar({date(2026, 12, 8): False})
    assert service_day(vn(2026, 12, 7, 18, 0), HOURS, off) == date(2026, 12, 9)


def test_without_opening_hours_the_desk_opens_monday_to_friday_all_day() -> None:
    calendar = WorkingCalendar({})
    assert service_day(vn(2026, 12, 7, 21, 0), {}, calendar) == date(2026, 12, 7)
    assert service_day(vn(2026, 12, 5, 9, 0), {}, calendar) == date(2026, 12, 7)
