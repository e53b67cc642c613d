"""Public statistics per commune and for the province, read from the stats_daily rollup.

`compute` reads the database replica when there is one (app/core/replica.py): the figures
may be seconds old there. The hall display (`display`) reads the primary: it must be live.

How fast and how fresh: a year of one province is at most (communes × days × fields) rollup
rows, read by one grouped statement on its primary key (agency, day, field), plus one count
of the running dossiers on ix_dossiers_agency_status_due for "overdue now". Neither grows
with the number of dossiers. The counts are exact as of the last commit (feedback/rollup.py
writes them in the transaction of each move); "overdue now" is computed at request time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import Session

from app.backoffice.queries import RUNNING
from app.core.dates import vietnamese_date
from app.core.replica import public_session
from app.core.vntime import month_bounds, vietnam_day_start, vietnam_today
from app.dossiers.models import Dossier, DossierStatus
from app.extensions import db
from app.feedback.models import COUNTS, StatsDaily
from app.places.models import Agency

# Kiosk ratings belong to no procedure: their field key is empty.
COUNTER_FIELD_LABEL = _l("Đánh giá tại quầy")
READY_CODES_SHOWN = 60


@dataclass
class Figures:
    received: int = 0
    received_online: int = 0
    finished_early: int = 0
    finished_on_time: int = 0
    finished_late: int = 0
    returned: int = 0
    rejected: int = 0
    withdrawn: int = 0
    rated_satisfied: int = 0
    rated_neutral: int = 0
    rated_not_satisfied: int = 0

    def add(self, values: Mapping[Any, Any]) -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + int(values.get(name) or 0))

    @property
    def finished(self) -> int:
        return self.finished_early + self.finished_on_time + self.finished_late

    @property
    def rated(self) -> int:
        return self.rated_satisfied + self.rated_neutral + self.rated_not_satisfied

    @property
    def timely_share(self) -> float | None:
        """Finished early or on time, of all finished (Decision 766's timeliness)."""
        return share(self.finished_early + self.finished_on_time, self.finished)

    @property
    def online_share(self) -> float | None:
        return share(self.received_online, self.received)

    @property
    def satisfaction(self) -> float | None:
        return share(self.rated_satisfied, self.rated)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        out.update(finished=self.finished, rated=self.rated,
                   timely_share=_round(self.timely_share),
                   online_share=_round(self.online_share),
                   satisfaction=_round(self.satisfaction))
        return out


def share(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to divide (shown as "chưa có dữ liệu")."""
    return part / whole if whole else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


@dataclass
class Stats:
    """One year of figures for a commune, or a province with a row per commune."""

    agency: Agency
    year: int
    today: date
    total: Figures = field(default_factory=Figures)
    by_month: dict[date, Figures] = field(default_factory=dict)
    by_field: dict[str, Figures] = field(default_factory=dict)
    by_commune: dict[int, Figures] = field(default_factory=dict)
    communes: list[Agency] = field(default_factory=list)
    running: int = 0
    overdue: int = 0
    overdue_by_commune: dict[int, int] = field(default_factory=dict)
    paid_online_share: float | None = None

    @property
    def is_province(self) -> bool:
        return bool(self.communes)

    def months(self) -> list[tuple[date, Figures]]:
        return sorted(self.by_month.items())

    def fields_sorted(self) -> list[tuple[str, Figures]]:
        # Procedure fields by volume; the counter ratings (no field) last.
        return sorted(self.by_field.items(), key=lambda kv: (kv[0] == "", -kv[1].received,
                                                             kv[0]))


def scope_ids(agency: Agency, session: Session) -> list[Agency]:
    """The communes a province's figures add up (the agency itself for a commune)."""
    if not agency.is_province:
        return []
    return list(session.scalars(
        select(Agency).where(Agency.parent_id == agency.id).order_by(Agency.name)))


def compute(agency: Agency, year: int, today: date | None = None) -> Stats:
    today = today or vietnam_today()
    reads = public_session()
    communes = scope_ids(agency, reads)
    ids = [agency.id, *(c.id for c in communes)]
    stats = Stats(agency, year, today, communes=communes)
    months_shown = 12 if year < today.year else today.month
    for m in range(1, months_shown + 1):
        stats.by_month[date(year, m, 1)] = Figures()
    columns = [func.sum(getattr(StatsDaily, name)).label(name) for name in COUNTS]
    rows = reads.execute(
        select(StatsDaily.agency_id, StatsDaily.month, StatsDaily.field, *columns)
        .where(StatsDaily.agency_id.in_(ids), StatsDaily.day >= date(year, 1, 1),
               StatsDaily.day < date(year + 1, 1, 1))
        .group_by(StatsDaily.agency_id, StatsDaily.month, StatsDaily.field))
    for row in rows:
        values = row._mapping
        stats.total.add(values)
        stats.by_month.setdefault(row.month, Figures()).add(values)
        stats.by_field.setdefault(row.field, Figures()).add(values)
        if communes:
            stats.by_commune.setdefault(row.agency_id, Figures()).add(values)
    overdue = (Dossier.due_date < today)
    for agency_id, running, late in reads.execute(
            select(Dossier.agency_id, func.count(), func.sum(case((overdue, 1), else_=0)))
            .where(Dossier.agency_id.in_(ids), Dossier.status.in_(RUNNING))
            .group_by(Dossier.agency_id)):
        stats.running += int(running)
        stats.overdue += int(late or 0)
        stats.overdue_by_commune[agency_id] = int(late or 0)
    stats.paid_online_share = paid_online_share(ids, vietnam_day_start(date(year, 1, 1)),
                                                vietnam_day_start(date(year + 1, 1, 1)), reads)
    return stats


def paid_online_share(agency_ids: list[int], start: datetime, end: datetime,
                      session: Session) -> float | None:
    """Of the fees paid in full in the period, the share paid by bank transfer (VietQR)
    rather than in cash at the desk. None ("chưa có dữ liệu") while the payments feature is
    not installed or nothing was paid. Read live: payments are a fraction of the dossiers;
    a rollup column kept by the payments feature would make it as cheap as the rest."""
    try:
        from app.payments.models import EntryKind, Payment, PaymentEntry, PaymentStatus
    except ImportError:
        return None
    by_bank = exists().where(PaymentEntry.payment_id == Payment.id,
                             PaymentEntry.kind == EntryKind.BANK.value)
    total, online = session.execute(
        select(func.count(), func.sum(case((by_bank, 1), else_=0)))
        .select_from(Payment).join(Dossier, Dossier.id == Payment.dossier_id)
        .where(Dossier.agency_id.in_(agency_ids), Payment.status == PaymentStatus.PAID.value,
               Payment.paid_at >= start, Payment.paid_at < end)).one()
    return share(int(online or 0), int(total or 0))


def index_components(stats: Stats) -> list[tuple[Any, float | None, Any]]:
    """The components of Decision 766/QĐ-TTg's index set that these data can compute:
    (name, value 0..1 or None, how it is computed)."""
    total = stats.total
    return [
        (_l("Tiến độ giải quyết"), total.timely_share,
         _l("hồ sơ giải quyết trước hạn và đúng hạn / hồ sơ đã giải quyết")),
        (_l("Dịch vụ công trực tuyến"), total.online_share,
         _l("hồ sơ nộp trực tuyến / hồ sơ tiếp nhận")),
        (_l("Thanh toán trực tuyến"), stats.paid_online_share,
         _l("khoản phí nộp bằng chuyển khoản / khoản phí đã nộp đủ")),
        (_l("Mức độ hài lòng"), total.satisfaction,
         _l("lượt đánh giá hài lòng / tổng lượt đánh giá (hồ sơ và tại quầy)")),
    ]


def as_json(stats: Stats) -> dict[str, Any]:
    out: dict[str, Any] = {
        "agency": {"slug": stats.agency.slug, "name": stats.agency.name,
                   "kind": stats.agency.kind},
        "year": stats.year,
        "as_of": stats.today.isoformat(),
        "total": stats.total.as_dict(),
        "running": stats.running,
        "overdue_now": stats.overdue,
        "paid_online_share": _round(stats.paid_online_share),
        "by_month": [{"month": m.strftime("%Y-%m"), **f.as_dict()} for m, f in stats.months()],
        "by_field": [{"field": name, **f.as_dict()} for name, f in stats.fields_sorted()],
    }
    if stats.is_province:
        out["communes"] = [
            {"slug": c.slug, "name": c.name,
             **stats.by_commune.get(c.id, Figures()).as_dict(),
             "overdue_now": stats.overdue_by_commune.get(c.id, 0)}
            for c in stats.communes]
    return out


CSV_COLUMNS = ("received", "received_online", "finished", "finished_early",
               "finished_on_time", "finished_late", "returned", "rejected", "withdrawn",
               "rated", "rated_satisfied", "rated_neutral", "rated_not_satisfied",
               "timely_share", "online_share", "satisfaction")


def csv_rows(stats: Stats) -> list[list[Any]]:
    """One table: the year's total, each month, each field (and each commune)."""
    def row(kind: str, key: str, figures: Figures) -> list[Any]:
        values = figures.as_dict()
        return [kind, key, *("" if values[c] is None else values[c] for c in CSV_COLUMNS)]

    rows = [["scope", "key", *CSV_COLUMNS], row("total", str(stats.year), stats.total)]
    rows += [row("month", m.strftime("%Y-%m"), f) for m, f in stats.months()]
    rows += [row("field", name, f) for name, f in stats.fields_sorted()]
    if stats.is_province:
        rows += [row("commune", c.slug, stats.by_commune.get(c.id, Figures()))
                 for c in stats.communes]
    return rows


# --- the hall display ----------------------------------------------------------------

def display(agency: Agency, today: date | None = None) -> dict[str, Any]:
    """Today's and this month's figures and the codes of results ready for collection:
    what the TV in the hall shows. Codes only: nothing that names a person."""
    today = today or vietnam_today()
    first, following = month_bounds(today)
    columns = [func.sum(getattr(StatsDaily, name)).label(name) for name in COUNTS]
    day_figures, month_figures = Figures(), Figures()
    for row in db.session.execute(
            select(StatsDaily.day, *columns)
            .where(StatsDaily.agency_id == agency.id, StatsDaily.day >= first,
                   StatsDaily.day < following)
            .group_by(StatsDaily.day)):
        month_figures.add(row._mapping)
        if row.day == today:
            day_figures.add(row._mapping)
    codes = list(db.session.scalars(
        select(Dossier.code).where(Dossier.agency_id == agency.id,
                                   Dossier.status == DossierStatus.RESULT_READY.value)
        .order_by(Dossier.finished_at.desc(), Dossier.id.desc()).limit(READY_CODES_SHOWN)))

    def compact(f: Figures) -> dict[str, Any]:
        return {"received": f.received, "finished": f.finished, "returned": f.returned,
                "timely": _round(f.timely_share), "satisfied": _round(f.satisfaction)}

    return {"day": today.isoformat(), "day_label": vietnamese_date(today),
            "today": compact(day_figures),
            "month": compact(month_figures), "ready": codes}
