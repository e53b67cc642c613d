"""The queue's rules as plain functions: which lane is called next, in what order the waiting
are called, which day a number is for, when a ticket counts as a no-show.

No database here, so each rule is tested with a clock and lists the test controls."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l

from app.core.vntime import VIETNAM, to_vietnam_time
from app.core.workdays import WorkingCalendar
from app.places.hours import DAYS
from app.queues.models import Lane

T = TypeVar("T")

# Who may use the priority lane, as the desk marks it or the person claims it. The groups
# the issue names; the commune turns the lane on or off per queue.
PRIORITY_REASONS: dict[str, Any] = {
    "elderly": _l("Người cao tuổi"),
    "pregnant": _l("Phụ nữ mang thai"),
    "disability": _l("Người khuyết tật"),
}
# A called ticket may be skipped as a no-show once it has been called this many times (the
# first call and two recalls). The first skip sends it to the back of the line; the second
# ends it.
CALLS_BEFORE_NO_SHOW = 3
# How far ahead an open day is looked for (Tết can close a commune for over a week).
_DAYS_AHEAD = 30


def next_lane(last_called: str | None, priority_waiting: bool,
              normal_waiting: bool) -> str | None:
    """The lane of the next call. While both lanes wait they alternate, priority first:
    one priority ticket before each normal ticket, so the priority lane goes ahead without
    stopping the normal line. With one lane waiting, that lane; with none, None."""
    if priority_waiting and normal_waiting:
        return Lane.NORMAL if last_called == Lane.PRIORITY else Lane.PRIORITY
    if priority_waiting:
        return Lane.PRIORITY
    if normal_waiting:
        return Lane.NORMAL
    return None


def call_order(priority: Sequence[T], normal: Sequence[T], last_called: str | None) -> list[T]:
    """Every waiting ticket in the order `next_lane` calls them (each lane already in its
    own order): what a ticket's position is counted from."""
    order: list[T] = []
    p, n, last = 0, 0, last_called
    while p < len(priority) or n < len(normal):
        lane = next_lane(last, p < len(priority), n < len(normal))
        if lane == Lane.PRIORITY:
            order.append(priority[p])
            p += 1
        else:
            order.append(normal[n])
            n += 1
        last = lane
    return order


def may_skip_as_no_show(call_count: int) -> bool:
    return call_count >= CALLS_BEFORE_NO_SHOW


def _is_open(day: date, hours: Mapping[str, Any], calendar: WorkingCalendar) -> bool:
    """Does the desk open that day? The calendar's decisions win (a Saturday worked in
    exchange, an extra day off); then holidays close it; then the commune's hours say which
    weekdays it opens, or Monday to Friday when it has not set them."""
    override = calendar.overrides.get(day)
    if override is not None:
        return override
    if day in calendar.holidays_in(day.year):
        return False
    if hours:
        return bool(hours.get(DAYS[day.weekday()]))
    return day.weekday() < 5


def closing_time(day: date, hours: Mapping[str, Any]) -> str | None:
    """The end of the day's last session ("17:00"), or None when the hours do not say."""
    sessions = (hours or {}).get(DAYS[day.weekday()]) or {}
    ends = [end for _start, end in sessions.values()]
    return max(ends) if ends else None


def opening_moment(day: date, hours: Mapping[str, Any]) -> datetime:
    """When the desk opens that day (its first session, or midnight without hours), in UTC:
    a number taken the evening before starts waiting then, not when it was taken."""
    sessions = (hours or {}).get(DAYS[day.weekday()]) or {}
    starts = [start for start, _end in sessions.values()]
    clock = min(starts) if starts else "00:00"
    hour, minute = (int(part) for part in clock.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=VIETNAM).astimezone(UTC)


def service_day(now: datetime, hours: Mapping[str, Any], calendar: WorkingCalendar) -> date:
    """The day a number taken at `now` is for: today in Vietnam while the desk is open or
    still to open today, else the next day it opens (a number taken the evening before)."""
    local = to_vietnam_time(now)
    today = local.date()
    closes = closing_time(today, hours)
    if _is_open(today, hours, calendar) and (closes is None or local.strftime("%H:%M") < closes):
        return today
    day = today
    for _ in range(_DAYS_AHEAD):
        day += timedelta(days=1)
        if _is_open(day, hours, calendar):
            return day
    raise ValueError(f"the desk does not open within {_DAYS_AHEAD} days of {today}")
