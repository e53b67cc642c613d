"""Working days in Vietnam: holidays, the yearly swap decisions (shipped and in the database),
due dates and timeliness."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from types import MappingProxyType

import holidays
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import Base
from app.core.vntime import to_vietnam_time, vietnam_day

# A same-day procedure received after this time is returned the next working day (DOMAIN.md).
SAME_DAY_CUTOFF = time(15, 0)
UNITS = ("working_days", "calendar_days")
BUNDLED_OVERRIDES = Path(__file__).parent / "data" / "calendar_overrides.json"
# No real calendar has this many days off in a row; reaching it means the overrides are broken.
_MAX_DAYS_OFF_IN_A_ROW = 60


class WorkingCalendar:
    """Monday–Friday minus Vietnamese public holidays, corrected by explicit overrides.

    `overrides` maps a day to True (worked, e.g. a Saturday worked in exchange) or False
    (an extra day off); an override always wins over the weekday rule and the holidays.
    """

    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        self.overrides: dict[date, bool] = dict(overrides or {})
        self._holidays_by_year: dict[int, frozenset[date]] = {}

    def holidays_in(self, year: int) -> frozenset[date]:
        """The public holidays of a year (built once per year and calendar)."""
        days = self._holidays_by_year.get(year)
        if days is None:
            # language="vi" always: otherwise the names follow the process's LANG.
            table = holidays.country_holidays("VN", years=year, language="vi")
            days = frozenset(table.keys())
            self._holidays_by_year[year] = days
        return days

    def is_working_day(self, d: date) -> bool:
        override = self.overrides.get(d)
        if override is not None:
            return override
        return d.weekday() < 5 and d not in self.holidays_in(d.year)

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after `d`."""
        return self._step(d, 1)

    def _step(self, d: date, direction: int) -> date:
        for _ in range(_MAX_DAYS_OFF_IN_A_ROW):
            d += timedelta(days=direction)
            if self.is_working_day(d):
                return d
        raise ValueError(f"no working day within {_MAX_DAYS_OFF_IN_A_ROW} days of {d}")

    def add_working_days(self, start: date, n: int) -> date:
        """The day `n` working days after `start` (`start` itself is not counted).

        n == 0 gives `start`; a negative n counts backwards.
        """
        direction = 1 if n >= 0 else -1
        d = start
        for _ in range(abs(n)):
            d = self._step(d, direction)
        return d

    def working_days_between(self, a: date, b: date) -> int:
        """Working days d with a < d <= b; negative when b is before a.

        So `working_days_between(a, add_working_days(a, n)) == n`.
        """
        if b < a:
            return -self.working_days_between(b, a)
        count = 0
        d = a
        while d < b:
            d += timedelta(days=1)
            if self.is_working_day(d):
                count += 1
        return count


def due_date_for(received_at: datetime, time_limit_days: int, *,
                 unit: str = "working_days", calendar: WorkingCalendar | None = None) -> date:
    """The appointment date (ngày hẹn trả) for a dossier received at `received_at`.

    A dossier received on a weekend or holiday is taken as received on the next working day,
    and the count starts the working day after that. Same-day procedures (0 days) received
    on a working day before 15:00 are due that day, otherwise the next working day.
    """
    if unit not in UNITS:
        raise ValueError(f"unknown time limit unit {unit!r}")
    if time_limit_days < 0:
        raise ValueError("a time limit cannot be negative")
    # Without the database (scripts, the API's estimate), the bundled decisions still apply.
    calendar = calendar or WorkingCalendar(bundled_overrides())
    local = to_vietnam_time(received_at)
    day = local.date()
    if time_limit_days == 0:
        if calendar.is_working_day(day) and local.time() < SAME_DAY_CUTOFF:
            return day
        return calendar.next_working_day(day)
    if unit == "calendar_days":
        due = day + timedelta(days=time_limit_days)
        return due if calendar.is_working_day(due) else calendar.next_working_day(due)
    receipt_day = day if calendar.is_working_day(day) else calendar.next_working_day(day)
    return calendar.add_working_days(receipt_day, time_limit_days)


def judge_timeliness(finished_at: datetime, due_date: date) -> str:
    """'early', 'on_time' or 'late' for a result finished at `finished_at` (Vietnam's date)."""
    finished_on = vietnam_day(finished_at)
    if finished_on < due_date:
        return "early"
    if finished_on == due_date:
        return "on_time"
    return "late"


class CalendarOverride(Base):
    """The government's yearly decisions: extra days off and Saturdays worked in exchange."""

    __tablename__ = "calendar_overrides"

    day: Mapped[date] = mapped_column(primary_key=True)
    is_working_day: Mapped[bool]
    reason: Mapped[str] = mapped_column(String(200), default="")


@cache
def bundled_overrides() -> Mapping[date, bool]:
    """The decisions shipped with the app (a read-only file, so reading it once is safe)."""
    raw = json.loads(BUNDLED_OVERRIDES.read_text(encoding="utf-8"))
    return MappingProxyType({date.fromisoformat(item["day"]): bool(item["is_working_day"])
                             for item in raw["overrides"]})


def load_calendar() -> WorkingCalendar:
    """The calendar for this request: bundled decisions plus the commune admin's overrides.

    Needs an app context; built once per request (the database rows may change between
    requests, so nothing is kept across them).
    """
    from flask import g
    from sqlalchemy import select

    from app.extensions import db

    calendar = g.get("_working_calendar")
    if calendar is None:
        overrides = dict(bundled_overrides())
        # The commune's own rows win: they correct or extend the shipped decisions.
        for row in db.session.execute(select(CalendarOverride)).scalars():
            overrides[row.day] = row.is_working_day
        calendar = WorkingCalendar(overrides)
        g._working_calendar = calendar
    return calendar
