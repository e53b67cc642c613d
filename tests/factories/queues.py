"""A commune with opening hours, two queues and two counters, for the queue-number tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from app.core.vntime import VIETNAM
from app.extensions import db
from app.feedback.models import Counter
from app.places.models import Agency
from app.queues.models import ServiceQueue, Ticket
from tests.factories.places import agency

# Monday to Friday, 7:30–11:30 and 13:30–17:00; Saturday morning.
WEEKDAY = {"morning": ["07:30", "11:30"], "afternoon": ["13:30", "17:00"]}
HOURS = {day: WEEKDAY for day in ("mon", "tue", "wed", "thu", "fri")} | {
    "sat": {"morning": ["07:30", "11:30"]}}


def vn(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A moment given on Vietnam's clock (UTC+7), as UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=VIETNAM).astimezone(UTC)


@dataclass
class Desk:
    agency_id: int
    civil: int  # queue "A", hộ tịch, with a priority lane
    notary: int  # queue "B", chứng thực, without one
    counters: list[int]


def make_desk(slug: str = "xa-hang", code: str = "000.40.01.H26") -> Desk:
    """Needs an app context; flushes only."""
    commune = agency(slug, "Xã Hàng Chờ", code)
    commune.opening_hours = HOURS
    civil = ServiceQueue(agency_id=commune.id, prefix="A", name="Hộ tịch")
    notary = ServiceQueue(agency_id=commune.id, prefix="B", name="Chứng thực",
                          priority_lane=False)
    counters = [Counter(agency_id=commune.id, name=f"Quầy {n}") for n in (1, 2)]
    db.session.add_all([civil, notary, *counters])
    db.session.flush()
    return Desk(commune.id, civil.id, notary.id, [c.id for c in counters])


def open_all_day(agency_id: int) -> None:
    """For tests on the real clock: the desk opens every day until 23:59, today included
    whatever the calendar says, so a number taken now is for today's line."""
    from app.core.vntime import vietnam_today
    from app.core.workdays import CalendarOverride
    commune = db.session.get(Agency, agency_id)
    assert commune is not None
    commune.opening_hours = {day: {"morning": ["00:00", "23:59"]}
                             for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    db.session.merge(CalendarOverride(day=vietnam_today(), is_working_day=True,
                                      reason="tests"))
    db.session.flush()


def queue_ticket(commune: Agency) -> Ticket:
    """One number taken now in the commune's first queue (the starter set when it has
    none); flushed."""
    from app.core.workdays import WorkingCalendar
    from app.queues.services import ensure_starter_queues, take_ticket

    return take_ticket(ensure_starter_queues(commune.id)[0], WorkingCalendar({}))
