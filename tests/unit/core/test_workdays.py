"""Working days, due dates and timeliness: Tết, Hùng Kings, 30/4–1/5, 2/9, weekends, 15:00."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.vntime import VIETNAM
from app.core.workdays import (
    BUNDLED_OVERRIDES,
    CalendarOverride,
    WorkingCalendar,
    bundled_overrides,
    due_date_for,
    judge_timeliness,
    load_calendar,
)


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar(bundled_overrides())


def vn(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> datetime:
    """A moment on Vietnam's clock."""
    return datetime(y, m, d, hh, mm, tzinfo=VIETNAM)


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(n) for n in range((end - start).days + 1)]


# --- the calendar itself ------------------------------------------------------------------

def test_tet_2026_civil_servants_off_from_14_to_22_february(cal: WorkingCalendar) -> None:
    assert not any(cal.is_working_day(d) for d in days(date(2026, 2, 14), date(2026, 2, 22)))
    assert cal.is_working_day(date(2026, 2, 13))
    assert cal.is_working_day(date(2026, 2, 23))


def test_tet_2027_as_the_holidays_package_gives_it(cal: WorkingCalendar) -> None:
    # Lunar New Year 2027 is Saturday 6/2; the package gives 29 Tết (4/2) to mùng 5 (10/2).
    assert cal.is_working_day(date(2027, 2, 3))
    assert not any(cal.is_working_day(d) for d in days(date(2027, 2, 4), date(2027, 2, 10)))
    assert cal.is_working_day(date(2027, 2, 11))


def test_hung_kings_day_2026_is_a_sunday_so_monday_is_off(cal: WorkingCalendar) -> None:
    names = holidays.country_holidays("VN", years=2026, language="vi")
    assert "Hùng Vương" in names[date(2026, 4, 26)]  # 10/3 Bính Ngọ
    assert not cal.is_working_day(date(2026, 4, 27))
    assert cal.is_working_day(date(2026, 4, 28))


def test_hung_kings_day_2027(cal: WorkingCalendar) -> None:
    names = holidays.country_holidays("VN", years=2027, language="vi")
    assert "Hùng Vương" in names[date(2027, 4, 16)]  # 10/3 Đinh Mùi, a Friday
    assert not cal.is_working_day(date(2027, 4, 16))


def test_labour_day_on_saturday_2027_gives_monday_off(cal: WorkingCalendar) -> None:
    assert not cal.is_working_day(date(2027, 4, 30))
    assert not cal.is_working_day(date(2027, 5, 3))
    assert cal.is_working_day(date(2027, 5, 4))


def test_swapped_days_and_saturdays_worked(cal: WorkingCalendar) -> None:
    # 2025: Friday 2/5 off, Saturday 26/4 worked; 2026: Friday 2/1 off, Saturday 10/1 worked;
    # 2026: Monday 31/8 off, Saturday 22/8 worked.
    assert not cal.is_working_day(date(2025, 5, 2))
    assert cal.is_working_day(date(2025, 4, 26))
    assert not cal.is_working_day(date(2026, 1, 2))
    assert cal.is_working_day(date(2026, 1, 10))
    assert not cal.is_working_day(date(2026, 8, 31))
    assert cal.is_working_day(date(2026, 8, 22))
    # An ordinary weekend stays off.
    assert not cal.is_working_day(date(2026, 8, 29))


def test_national_day_and_its_adjacent_day(cal: WorkingCalendar) -> None:
    assert not cal.is_working_day(date(2025, 9, 1))
    assert not cal.is_working_day(date(2025, 9, 2))
    assert cal.is_working_day(date(2025, 9, 3))
    assert not cal.is_working_day(date(2027, 9, 2))
    assert not cal.is_working_day(date(2027, 9, 3))


def test_calendar_without_overrides_follows_weekdays_and_holidays() -> None:
    plain = WorkingCalendar()
    assert not plain.is_working_day(date(2026, 1, 1))
    assert plain.is_working_day(date(2026, 1, 2))  # only the government's decision moves it
    assert not plain.is_working_day(date(2026, 3, 7))  # Saturday


def test_add_working_days_and_counting(cal: WorkingCalendar) -> None:
    friday = date(2026, 3, 6)
    assert cal.add_working_days(friday, 0) == friday
    assert cal.add_working_days(friday, 1) == date(2026, 3, 9)
    assert cal.add_working_days(friday, 5) == date(2026, 3, 13)
    assert cal.add_working_days(date(2026, 3, 9), -1) == friday
    assert cal.working_days_between(friday, date(2026, 3, 13)) == 5
    assert cal.working_days_between(date(2026, 3, 13), friday) == -5
    assert cal.working_days_between(friday, friday) == 0
    # Across Tết 2026: from Friday 13/2, the next five working days are 23/2–27/2.
    assert cal.add_working_days(date(2026, 2, 13), 5) == date(2026, 2, 27)
    assert cal.working_days_between(date(2026, 2, 13), date(2026, 2, 27)) == 5


@settings(max_examples=200, deadline=None)
@given(start=st.dates(date(2025, 1, 1), date(2027, 12, 1)), n=st.integers(0, 40))
def test_add_and_between_agree(start: date, n: int) -> None:
    cal = WorkingCalendar(bundled_overrides())
    end = cal.add_working_days(start, n)
    assert cal.working_days_between(start, end) == n
    if n:
        assert cal.is_working_day(end)
        assert cal.add_working_days(end, -n) <= start


# --- due dates ------------------------------------------------------------------------------

@pytest.mark.parametrize(("received", "limit", "due"), [
    # Weekends: counting starts the working day after receipt.
    (vn(2026, 3, 6, 10), 1, date(2026, 3, 9)),
    (vn(2026, 3, 6, 10), 5, date(2026, 3, 13)),
    (vn(2026, 3, 9, 16), 3, date(2026, 3, 12)),
    # Received on a Sunday: as if received Monday, so day 1 is Tuesday.
    (vn(2026, 3, 8, 10), 1, date(2026, 3, 10)),
    # Tết 2026 (14/2–22/2 off).
    (vn(2026, 2, 13), 1, date(2026, 2, 23)),
    (vn(2026, 2, 13), 3, date(2026, 2, 25)),
    (vn(2026, 2, 12), 2, date(2026, 2, 23)),
    (vn(2026, 2, 18), 1, date(2026, 2, 24)),  # received during Tết
    # Tết 2027 (4/2–10/2 off).
    (vn(2027, 2, 3), 1, date(2027, 2, 11)),
    (vn(2027, 2, 3), 2, date(2027, 2, 12)),
    # Hùng Kings 2026 (Monday 27/4 off) then 30/4–1/5 (Thursday, Friday).
    (vn(2026, 4, 24), 1, date(2026, 4, 28)),
    (vn(2026, 4, 28), 2, date(2026, 5, 4)),
    (vn(2026, 4, 29), 1, date(2026, 5, 4)),
    # Hùng Kings 2027 (Friday 16/4).
    (vn(2027, 4, 15), 1, date(2027, 4, 19)),
    # 30/4–1/5 2027: Friday and Saturday, Monday 3/5 off.
    (vn(2027, 4, 29), 1, date(2027, 5, 4)),
    # 30/4–1/5 2025 with the swap: 30/4–4/5 off.
    (vn(2025, 4, 29), 1, date(2025, 5, 5)),
    # A Saturday worked in exchange is a working day: 22/8/2026.
    (vn(2026, 8, 21), 1, date(2026, 8, 22)),
    # 2/9 2026 (29/8–2/9 off) and 2/9 2025 (1/9 adjacent day).
    (vn(2026, 8, 28), 1, date(2026, 9, 3)),
    (vn(2025, 8, 29), 1, date(2025, 9, 3)),
    (vn(2027, 9, 1), 1, date(2027, 9, 6)),
    # New Year 2026: 1/1 holiday, 2/1 swapped off.
    (vn(2025, 12, 31), 1, date(2026, 1, 5)),
])
def test_due_dates_in_working_days(cal: WorkingCalendar, received: datetime, limit: int,
                                   due: date) -> None:
    assert due_date_for(received, limit, calendar=cal) == due


@pytest.mark.parametrize(("received", "due"), [
    (vn(2026, 3, 9, 14, 59), date(2026, 3, 9)),
    (vn(2026, 3, 9, 15, 0), date(2026, 3, 10)),
    (vn(2026, 3, 13, 16, 0), date(2026, 3, 16)),  # Friday afternoon → Monday
    (vn(2026, 3, 8, 10, 0), date(2026, 3, 9)),  # Sunday morning → Monday
    (vn(2026, 2, 17, 8, 0), date(2026, 2, 23)),  # during Tết → first day back
    (vn(2026, 8, 22, 9, 0), date(2026, 8, 22)),  # a Saturday worked counts
])
def test_same_day_procedures_and_the_15_oclock_rule(cal: WorkingCalendar, received: datetime,
                                                    due: date) -> None:
    assert due_date_for(received, 0, calendar=cal) == due


def test_times_are_taken_on_vietnams_clock(cal: WorkingCalendar) -> None:
    # 07:30 UTC is 14:30 in Hà Nội, 08:30 UTC is 15:30.
    assert due_date_for(datetime(2026, 3, 9, 7, 30, tzinfo=UTC), 0, calendar=cal) == \
        date(2026, 3, 9)
    assert due_date_for(datetime(2026, 3, 9, 8, 30, tzinfo=UTC), 0, calendar=cal) == \
        date(2026, 3, 10)
    # Sunday 18:00 UTC is already Monday 01:00 in Vietnam: a working day, so day 1 is Tuesday.
    assert due_date_for(datetime(2026, 3, 8, 18, 0, tzinfo=UTC), 1, calendar=cal) == \
        date(2026, 3, 10)
    # Naive datetimes (as SQLite returns them) are UTC.
    assert due_date_for(datetime(2026, 3, 9, 8, 30), 0, calendar=cal) == date(2026, 3, 10)


@pytest.mark.parametrize(("received", "limit", "due"), [
    (vn(2026, 3, 6), 10, date(2026, 3, 16)),
    (vn(2026, 3, 4), 3, date(2026, 3, 9)),  # lands on Saturday → Monday
    (vn(2026, 2, 11), 5, date(2026, 2, 23)),  # lands in Tết → first day back
])
def test_calendar_day_limits(cal: WorkingCalendar, received: datetime, limit: int,
                             due: date) -> None:
    assert due_date_for(received, limit, unit="calendar_days", calendar=cal) == due


def test_without_a_calendar_the_bundled_decisions_still_apply() -> None:
    assert due_date_for(vn(2025, 12, 31), 1) == date(2026, 1, 5)


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="unit"):
        due_date_for(vn(2026, 3, 9), 1, unit="weeks")
    with pytest.raises(ValueError, match="negative"):
        due_date_for(vn(2026, 3, 9), -1)


# --- timeliness ---------------------------------------------------------------------------

@pytest.mark.parametrize(("finished", "verdict"), [
    (vn(2026, 3, 9, 16), "early"),
    (vn(2026, 3, 10, 8), "on_time"),
    (datetime(2026, 3, 10, 16, 30, tzinfo=UTC), "on_time"),  # 23:30 in Vietnam
    (datetime(2026, 3, 10, 17, 30, tzinfo=UTC), "late"),  # 00:30 on the 11th in Vietnam
    (datetime(2026, 3, 9, 17, 30), "on_time"),  # naive = UTC = 00:30 on the 10th
    (vn(2026, 3, 12), "late"),
])
def test_judge_timeliness(finished: datetime, verdict: str) -> None:
    assert judge_timeliness(finished, date(2026, 3, 10)) == verdict


# --- the bundled overrides file -------------------------------------------------------------

def test_bundled_overrides_are_well_formed() -> None:
    raw = json.loads(BUNDLED_OVERRIDES.read_text(encoding="utf-8"))
    seen = set()
    for item in raw["overrides"]:
        day = date.fromisoformat(item["day"])
        assert day not in seen, f"{day} listed twice"
        seen.add(day)
        assert item["reason"] and item["source"]
        if item["is_working_day"]:
            assert day.weekday() >= 5, f"{day} is already a working weekday"
        else:
            assert day.weekday() < 5, f"{day} is already a weekend day"


def test_every_swap_in_the_holidays_package_has_its_saturday_worked() -> None:
    """The package marks the swapped day off but not the Saturday worked in exchange."""
    overrides = bundled_overrides()
    pattern = re.compile(r"thay cho ngày (\d{2})/(\d{2})/(\d{4})")
    for year in (2025, 2026, 2027):
        for day, name in holidays.country_holidays("VN", years=year, language="vi").items():
            match = pattern.search(name)
            if match:
                worked = date(int(match[3]), int(match[2]), int(match[1]))
                assert overrides.get(worked) is True, f"{worked} (swapped for {day}) missing"


# --- the commune admin's overrides in the database ------------------------------------------

def test_database_overrides_change_due_dates(app) -> None:  # noqa: ANN001
    from app.extensions import db

    thursday = vn(2026, 3, 12)
    with app.app_context():
        assert due_date_for(thursday, 1, calendar=load_calendar()) == date(2026, 3, 13)
    with app.app_context():
        db.session.add(CalendarOverride(day=date(2026, 3, 13), is_working_day=False,
                                        reason="Nghỉ bù theo quyết định của tỉnh"))
        db.session.commit()
    with app.app_context():
        assert due_date_for(thursday, 1, calendar=load_calendar()) == date(2026, 3, 16)
    with app.app_context():
        db.session.add(CalendarOverride(day=date(2026, 3, 14), is_working_day=True,
                                        reason="Làm bù thứ Bảy"))
        # The commune's row wins over a bundled decision: 22/8/2026 not worked after all.
        db.session.add(CalendarOverride(day=date(2026, 8, 22), is_working_day=False,
                                        reason="Địa phương không làm bù"))
        db.session.commit()
    with app.app_context():
        calendar = load_calendar()
        assert due_date_for(thursday, 1, calendar=calendar) == date(2026, 3, 14)
        assert due_date_for(vn(2026, 8, 21), 1, calendar=calendar) == date(2026, 8, 24)
        # Bundled decisions still apply where the commune said nothing.
        assert not calendar.is_working_day(date(2026, 1, 2))


def test_load_calendar_is_built_once_per_request(app) -> None:  # noqa: ANN001
    with app.app_context():
        assert load_calendar() is load_calendar()
        first = load_calendar()
    with app.app_context():
        assert load_calendar() is not first
