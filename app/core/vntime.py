"""Vietnam's clock and calendar days: moments, days, day starts and months (UTC+7, no DST)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from sqlalchemy import Date, cast, func

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def to_vietnam_time(moment: datetime) -> datetime:
    """The moment on Vietnam's clock. Naive datetimes are UTC (SQLite returns them naive)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(VIETNAM)


def vietnam_day(moment: datetime) -> date:
    """The Vietnamese calendar day a moment falls on."""
    return to_vietnam_time(moment).date()


def vietnam_today() -> date:
    """The calendar day in Vietnam, whatever the server's time zone.

    A testing app may set VIETNAM_TODAY (a date) to fix the day for the pages it serves;
    outside testing the setting is ignored, so production always reads the real clock."""
    if has_app_context() and current_app.testing:
        fixed = current_app.config.get("VIETNAM_TODAY")
        if isinstance(fixed, date):
            return fixed
    return datetime.now(VIETNAM).date()


def vietnam_day_start(day: date) -> datetime:
    """Midnight of a Vietnamese calendar day, in UTC (what the database compares)."""
    return datetime.combine(day, time.min, tzinfo=VIETNAM).astimezone(UTC)


def month_start(day: date) -> date:
    """The first day of the month `day` is in."""
    return day.replace(day=1)


def next_month_start(day: date) -> date:
    """The first day of the month after the one `day` is in."""
    return (month_start(day) + timedelta(days=32)).replace(day=1)


def month_bounds(day: date) -> tuple[date, date]:
    """The first day of `day`'s month and of the next one: a half-open range."""
    return month_start(day), next_month_start(day)


def vietnam_day_sql(column: Any, dialect: str) -> Any:
    """SQL for the Vietnamese calendar day of a timestamp column, on either database."""
    # Vietnam has kept UTC+7 without daylight saving since 1975, so SQLite's fixed offset is
    # exact.
    if dialect == "postgresql":
        return cast(func.timezone("Asia/Ho_Chi_Minh", column), Date)
    return func.date(column, "+7 hours")
