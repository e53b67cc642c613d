"""Vietnam's clock: days of moments, midnight in UTC, month windows, the SQL day."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import create_engine, literal, select

from app.core.vntime import (
    month_bounds,
    month_start,
    next_month_start,
    to_vietnam_time,
    vietnam_day,
    vietnam_day_sql,
    vietnam_day_start,
)


def test_naive_moments_are_utc_and_the_day_turns_at_17_utc():
    assert to_vietnam_time(datetime(2026, 3, 1, 16, 59)).hour == 23
    assert vietnam_day(datetime(2026, 3, 1, 16, 59, tzinfo=UTC)) == date(2026, 3, 1)
    assert vietnam_day(datetime(2026, 3, 1, 17, 0, tzinfo=UTC)) == date(2026, 3, 2)


def test_month_window_and_vietnamese_midnight():
    assert month_bounds(date(2026, 12, 31)) == (date(2026, 12, 1), date(2027, 1, 1))
    assert month_bounds(date(2026, 2, 1)) == (date(2026, 2, 1), date(2026, 3, 1))
    assert month_start(date(2026, 2, 28)) == date(2026, 2, 1)
    assert next_month_start(date(2026, 1, 31)) == date(2026, 2, 1)
    assert vietnam_day_start(date(2026, 3, 1)) == datetime(2026, 2, 28, 17, tzinfo=UTC)


@pytest.mark.parametrize(("moment", "day"), [("2026-03-01 16:59:00", "2026-03-01"),
                                             ("2026-03-01 17:00:00", "2026-03-02")])
def test_the_sql_day_matches_the_python_day_on_sqlite(moment, day):
    with create_engine("sqlite://").connect() as connection:
        assert connection.scalar(select(vietnam_day_sql(literal(moment), "sqlite"))) == day
