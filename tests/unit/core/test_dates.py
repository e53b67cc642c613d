"""Dates for people: "Thứ Tư, ngày 02/12/2026", weekdays Thứ Hai … Chủ Nhật."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.core.dates import vietnamese_date

# Weekdays looked up in a calendar, not computed.
DAYS = [
    (date(2026, 11, 30), "Thứ Hai, ngày 30/11/2026"),
    (date(2026, 12, 1), "Thứ Ba, ngày 01/12/2026"),
    (date(2026, 12, 2), "Thứ Tư, ngày 02/12/2026"),
    (date(2026, 12, 3), "Thứ Năm, ngày 03/12/2026"),
    (date(2026, 12, 4), "Thứ Sáu, ngày 04/12/2026"),
    (date(2026, 12, 5), "Thứ Bảy, ngày 05/12/2026"),
    (date(2026, 12, 6), "Chủ Nhật, ngày 06/12/2026"),
    (date(2027, 1, 5), "Thứ Ba, ngày 05/01/2027"),
    (date(2024, 2, 10), "Thứ Bảy, ngày 10/02/2024"),  # Tết Giáp Thìn
    (date(2025, 9, 2), "Thứ Ba, ngày 02/09/2025"),
]


@pytest.mark.parametrize(("day", "shown"), DAYS)
def test_days_in_vietnamese(app, day, shown):
    with app.test_request_context("/"):
        assert vietnamese_date(day) == shown


def test_without_the_weekday_and_moments_on_vietnams_calendar(app):
    with app.test_request_context("/"):
        assert vietnamese_date(date(2026, 12, 2), weekday=False) == "02/12/2026"
        # 17:30 UTC on the 1st is 00:30 on the 2nd in Vietnam.
        assert vietnamese_date(datetime(2026, 12, 1, 17, 30, tzinfo=UTC)) == \
            "Thứ Tư, ngày 02/12/2026"
        assert vietnamese_date(datetime(2026, 12, 1, 16, 59)) == "Thứ Ba, ngày 01/12/2026"


def test_english_pages_get_english_weekdays(app):
    with app.test_request_context("/?lang=en"):
        assert vietnamese_date(date(2026, 12, 6)) == "Sunday, 06/12/2026"


def test_a_testing_app_may_fix_the_day_and_the_template_filter_uses_it(app):
    from app.core.vntime import vietnam_today

    app.config["VIETNAM_TODAY"] = date(2026, 12, 2)
    with app.test_request_context("/"):
        assert vietnam_today() == date(2026, 12, 2)
        rendered = app.jinja_env.from_string("{{ vietnam_today()|vn_date }}").render(
            vietnam_today=vietnam_today)
        assert rendered == "Thứ Tư, ngày 02/12/2026"
    app.config["VIETNAM_TODAY"] = date(2001, 1, 1)
    app.testing = False  # production ignores the setting
    with app.test_request_context("/"):
        assert vietnam_today() != date(2001, 1, 1)
