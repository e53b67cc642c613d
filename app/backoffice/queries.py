"""Reads for the back office: the inbox and its queues, one dossier, officers, figures."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import selectinload

from app.accounts.models import Officer, Role
from app.backoffice.forms import InboxFilter
from app.backoffice.models import AuditEntry
from app.core.text import fold
from app.core.vntime import month_bounds, vietnam_day_start
from app.core.workdays import WorkingCalendar, judge_timeliness
from app.dossiers.models import Dossier, DossierStatus
from app.dossiers.queries import normalize_code
from app.extensions import db
from app.places.models import Village
from app.procedures.models import Procedure

S = DossierStatus
PER_PAGE = 25
DUE_SOON_WORKING_DAYS = 2
# Work is going on and the clock runs: these can be overdue. A dossier waiting for the
# citizen's supplement is not counted (its time limit restarts when the papers come back).
RUNNING = (S.RECEIVED.value, S.IN_PROGRESS.value, S.AWAITING_APPROVAL.value)


@dataclass(frozen=True)
class Queue:
    key: str
    label: Any
    statuses: tuple[str, ...] = ()


QUEUES: tuple[Queue, ...] = (
    Queue("waiting", _l("Chờ tiếp nhận"), (S.SUBMITTED.value,)),
    Queue("processing", _l("Đang giải quyết"), (S.RECEIVED.value, S.IN_PROGRESS.value)),
    Queue("approval", _l("Chờ ký duyệt"), (S.AWAITING_APPROVAL.value,)),
    Queue("result", _l("Có kết quả"), (S.RESULT_READY.value,)),
    Queue("supplement", _l("Cần bổ sung"), (S.NEEDS_SUPPLEMENT.value,)),
    Queue("overdue", _l("Quá hạn"), RUNNING),
    Queue("due_soon", _l("Sắp đến hạn"), RUNNING),
    Queue("all", _l("Tất cả")),
)
QUEUE_KEYS = tuple(q.key for q in QUEUES)
# Where each role starts its day.
DEFAULT_QUEUE = {Role.RECEIVING: "waiting", Role.SPECIALIST: "processing",
                 Role.LEADER: "approval"}


@dataclass
class Window:
    """Today and the date two working days on, which define "overdue" and "due soon"."""

    today: date
    soon: date

    @classmethod
    def for_today(cls, today: date, calendar: WorkingCalendar) -> Window:
        return cls(today, calendar.add_working_days(today, DUE_SOON_WORKING_DAYS))


def _queue_condition(queue: Queue, window: Window) -> Any:
    if queue.key == "all":
        return None
    condition = Dossier.status.in_(queue.statuses)
    if queue.key == "overdue":
        return condition & (Dossier.due_date < window.today)
    if queue.key == "due_soon":
        return condition & Dossier.due_date.between(window.today, window.soon)
    return condition


def queue_counts(agency_id: int, window: Window) -> dict[str, int]:
    """Every queue's count in one pass over the agency's dossiers."""
    columns = [func.count().label("all")]
    for queue in QUEUES:
        condition = _queue_condition(queue, window)
        if condition is not None:
            columns.append(func.coalesce(func.sum(case((condition, 1), else_=0)), 0)
                           .label(queue.key))
    row = db.session.execute(select(*columns).where(Dossier.agency_id == agency_id)).one()
    return {key: int(value or 0) for key, value in row._mapping.items()}


def _search_condition(q: str) -> Any:
    """Code, phone or accent-insensitive name; the agency filter keeps it on an index."""
    digits = "".join(ch for ch in q if ch.isdigit())
    options = [Dossier.code.contains(normalize_code(q), autoescape=True)]
    if digits and len(digits) >= 3 and len(digits) >= len(q.replace(" ", "")) - 3:
        # "+84 912…" and "0912…" are the same phone.
        local = "0" + digits[2:] if digits.startswith("84") and len(digits) == 11 else digits
        options.append(Dossier.phone.contains(local, autoescape=True))
    folded = fold(q)
    if folded:
        options.append(Dossier.applicant_name_folded.contains(folded, autoescape=True))
    return or_(*options)


def _filtered(agency_id: int, flt: InboxFilter, window: Window, officer_id: int) -> Select:
    stmt = select(Dossier).where(Dossier.agency_id == agency_id)
    queue = next(q for q in QUEUES if q.key == flt.queue)
    condition = _queue_condition(queue, window)
    if condition is not None:
        stmt = stmt.where(condition)
    if flt.q:
        stmt = stmt.where(_search_condition(flt.q))
    if flt.procedure_id:
        stmt = stmt.where(Dossier.procedure_id == flt.procedure_id)
    if flt.field:
        stmt = stmt.where(Dossier.procedure_id.in_(
            select(Procedure.id).where(Procedure.field == flt.field).scalar_subquery()))
    if flt.village_id:
        stmt = stmt.where(Dossier.village_id == flt.village_id)
    if flt.channel:
        stmt = stmt.where(Dossier.channel == flt.channel)
    if flt.date_from:
        stmt = stmt.where(Dossier.submitted_at >= vietnam_day_start(flt.date_from))
    if flt.date_to:
        stmt = stmt.where(Dossier.submitted_at < vietnam_day_start(flt.date_to + timedelta(1)))
    if flt.mine:
        stmt = stmt.where(Dossier.assigned_officer_id == officer_id)
    return stmt


@dataclass
class Page:
    rows: list[Dossier]
    total: int
    page: int
    pages: int = field(init=False)

    def __post_init__(self) -> None:
        self.pages = max(1, math.ceil(self.total / PER_PAGE))


def inbox(agency_id: int, flt: InboxFilter, window: Window, officer_id: int) -> Page:
    """One page of the filtered queue, the nearest due date first; dossiers without a due
    date yet (waiting to be received) oldest first."""
    stmt = _filtered(agency_id, flt, window, officer_id)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = db.session.scalars(
        stmt.options(selectinload(Dossier.procedure), selectinload(Dossier.village))
        .order_by(Dossier.due_date.asc().nulls_last(), Dossier.submitted_at, Dossier.id)
        .limit(PER_PAGE).offset((flt.page - 1) * PER_PAGE)).all()
    return Page(list(rows), total, flt.page)


def filter_choices(agency_id: int) -> dict[str, list[Any]]:
    """What the inbox filters offer: this agency's procedures, their fields, its villages."""
    from app.places.models import agency_procedures

    procedures = db.session.execute(
        select(Procedure.id, Procedure.name, Procedure.field)
        .join(agency_procedures, agency_procedures.c.procedure_id == Procedure.id)
        .where(agency_procedures.c.agency_id == agency_id).order_by(Procedure.name)).all()
    villages = db.session.execute(
        select(Village.id, Village.name).where(Village.agency_id == agency_id)
        .order_by(Village.position, Village.name)).all()
    return {"procedures": list(procedures), "fields": sorted({p.field for p in procedures}),
            "villages": list(villages)}


def dossier_by_code(code: str) -> Dossier | None:
    """Exact match on the unique index (codes are stored upper case)."""
    wanted = normalize_code(code)
    if not wanted or len(wanted) > 60:
        return None
    return db.session.scalar(select(Dossier).where(Dossier.code == wanted))


def officers_of(agency_id: int) -> dict[int, Officer]:
    rows = db.session.scalars(select(Officer).where(Officer.agency_id == agency_id))
    return {o.id: o for o in rows}


def specialists_of(agency_id: int) -> list[Officer]:
    return list(db.session.scalars(
        select(Officer).where(Officer.agency_id == agency_id, Officer.active.is_(True),
                              Officer.role == Role.SPECIALIST.value)
        .order_by(Officer.full_name)))


def counter_procedures(agency_id: int) -> list[Procedure]:
    from app.places.models import agency_procedures

    return list(db.session.scalars(
        select(Procedure)
        .join(agency_procedures, agency_procedures.c.procedure_id == Procedure.id)
        .where(agency_procedures.c.agency_id == agency_id, Procedure.active.is_(True))
        .order_by(Procedure.name)))


def villages_of(agency_id: int) -> list[Village]:
    return list(db.session.scalars(select(Village).where(Village.agency_id == agency_id)
                                   .order_by(Village.position, Village.name)))


# --- dashboard -------------------------------------------------------------------------

@dataclass
class Figures:
    received: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0

    @property
    def finished(self) -> int:
        return self.early + self.on_time + self.late


@dataclass
class Dashboard:
    month_start: date
    commune: Figures
    by_officer: dict[int | None, Figures]


def dashboard(agency_id: int, today: date) -> Dashboard:
    """This month's received and finished (early / on time / late) and what is overdue now,
    per officer and for the commune.

    Two statements: one grouped count of received and overdue per officer, and the finished
    dossiers of the month (a few hundred rows at most) judged by judge_timeliness, the one
    rule that decides early / on time / late everywhere.
    """
    first, following = month_bounds(today)
    start, end = vietnam_day_start(first), vietnam_day_start(following)
    # Who answers for a dossier: the specialist it was given to, else whoever received it.
    owner = func.coalesce(Dossier.assigned_officer_id, Dossier.receiving_officer_id)
    received = (Dossier.received_at >= start) & (Dossier.received_at < end)
    overdue = Dossier.status.in_(RUNNING) & (Dossier.due_date < today)
    grouped = db.session.execute(
        select(Dossier.receiving_officer_id, owner,
               func.sum(case((received, 1), else_=0)), func.sum(case((overdue, 1), else_=0)))
        .where(Dossier.agency_id == agency_id, received | overdue)
        .group_by(Dossier.receiving_officer_id, owner)).all()
    by_officer: dict[int | None, Figures] = {}
    commune = Figures()
    for receiver, responsible, n_received, n_overdue in grouped:
        by_officer.setdefault(receiver, Figures()).received += int(n_received or 0)
        by_officer.setdefault(responsible, Figures()).overdue += int(n_overdue or 0)
        commune.received += int(n_received or 0)
        commune.overdue += int(n_overdue or 0)
    finished = db.session.execute(
        select(owner, Dossier.finished_at, Dossier.due_date)
        .where(Dossier.agency_id == agency_id, Dossier.finished_at >= start,
               Dossier.finished_at < end, Dossier.due_date.is_not(None))).all()
    for responsible, finished_at, due in finished:
        if finished_at is None or due is None:
            continue  # the query keeps only dossiers with both
        verdict = judge_timeliness(finished_at, due)
        for figures in (by_officer.setdefault(responsible, Figures()), commune):
            setattr(figures, verdict, getattr(figures, verdict) + 1)
    return Dashboard(first, commune, by_officer)


# --- audit -------------------------------------------------------------------------------

def audit_rows(agency_id: int, start: datetime, end: datetime) -> Iterator[Any]:
    """The trail of one agency between two moments, oldest first, streamed."""
    stmt = (select(AuditEntry.at, Officer.username, Officer.full_name, Officer.role,
                   AuditEntry.what, Dossier.code, AuditEntry.file_id, AuditEntry.ip)
            .join(Officer, Officer.id == AuditEntry.officer_id)
            .outerjoin(Dossier, Dossier.id == AuditEntry.dossier_id)
            .where(AuditEntry.agency_id == agency_id, AuditEntry.at >= start,
                   AuditEntry.at < end)
            .order_by(AuditEntry.at, AuditEntry.id))
    yield from db.session.execute(stmt.execution_options(yield_per=500))
