"""The monthly report a commune pulls for each officer and for itself: dossiers handled,
share on time, ratings (of dossiers and at the counter) and the comments; CSV and XLSX."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import distinct, func, select

from app.accounts.models import Officer
from app.core import exports, parsing
from app.core.vntime import month_start, next_month_start, vietnam_day_start
from app.core.workdays import judge_timeliness
from app.dossiers.models import Dossier, DossierEvent
from app.extensions import db
from app.feedback.models import KioskRating, Rating, RatingOfficer
from app.feedback.stats import share

COLUMNS = ("handled", "finished", "timely", "late", "timely_share", "satisfied", "neutral",
           "not_satisfied", "satisfaction")
HEADERS = {"officer": "Cán bộ", "handled": "Hồ sơ đã xử lý", "finished": "Hồ sơ có kết quả",
           "timely": "Trước hạn và đúng hạn", "late": "Trễ hạn",
           "timely_share": "Tỷ lệ đúng hạn", "satisfied": "Hài lòng", "neutral": "Bình thường",
           "not_satisfied": "Không hài lòng", "satisfaction": "Tỷ lệ hài lòng"}


@dataclass
class Row:
    officer_id: int | None
    name: str
    handled: int = 0
    finished: int = 0
    timely: int = 0
    late: int = 0
    satisfied: int = 0
    neutral: int = 0
    not_satisfied: int = 0
    comments: list[str] = field(default_factory=list)

    @property
    def timely_share(self) -> float | None:
        return share(self.timely, self.finished)

    @property
    def satisfaction(self) -> float | None:
        return share(self.satisfied, self.satisfied + self.neutral + self.not_satisfied)

    def add_score(self, score: str, n: int = 1) -> None:
        setattr(self, score, getattr(self, score) + n)

    def values(self) -> list[Any]:
        out: list[Any] = []
        for name in COLUMNS:
            value = getattr(self, name)
            out.append(round(value, 4) if isinstance(value, float) else value)
        return out


@dataclass
class Report:
    month: date
    commune: Row
    officers: list[Row]


def parse_month(raw: str | None, today: date) -> date:
    """'2026-03' → 1 March 2026; empty → this month; anything else (9999-12 included) is a
    ParseError, answered 400."""
    if not raw:
        return month_start(today)
    return parsing.parse_month(raw, field=_("Tháng"))


def monthly(agency_id: int, month: date) -> Report:
    """An officer "handled" a dossier when they made a move on it during the month; a
    dossier finished this month counts for every officer who handled it at any time."""
    start = vietnam_day_start(month)
    end = vietnam_day_start(next_month_start(month))
    officers = {o.id: o for o in db.session.scalars(
        select(Officer).where(Officer.agency_id == agency_id))}
    rows = {i: Row(i, o.full_name) for i, o in officers.items()}
    commune = Row(None, "")

    def row(officer_id: int) -> Row:
        return rows.setdefault(officer_id, Row(officer_id, str(officer_id)))

    in_month = (DossierEvent.at >= start) & (DossierEvent.at < end)
    for officer_id, n in db.session.execute(
            select(DossierEvent.officer_id, func.count(distinct(DossierEvent.dossier_id)))
            .join(Dossier, Dossier.id == DossierEvent.dossier_id)
            .where(Dossier.agency_id == agency_id, in_month,
                   DossierEvent.officer_id.is_not(None))
            .group_by(DossierEvent.officer_id)):
        if officer_id is not None:
            row(officer_id).handled = int(n)
    commune.handled = int(db.session.scalar(
        select(func.count(distinct(DossierEvent.dossier_id)))
        .join(Dossier, Dossier.id == DossierEvent.dossier_id)
        .where(Dossier.agency_id == agency_id, in_month,
               DossierEvent.officer_id.is_not(None))) or 0)

    finished = db.session.execute(
        select(Dossier.id, Dossier.finished_at, Dossier.due_date)
        .where(Dossier.agency_id == agency_id, Dossier.finished_at >= start,
               Dossier.finished_at < end, Dossier.due_date.is_not(None))).all()
    handlers: dict[int, set[int]] = {}
    if finished:
        for dossier_id, officer_id in db.session.execute(
                select(DossierEvent.dossier_id, DossierEvent.officer_id).distinct()
                .where(DossierEvent.dossier_id.in_([d for d, _f, _due in finished]),
                       DossierEvent.officer_id.is_not(None))):
            if officer_id is not None:
                handlers.setdefault(dossier_id, set()).add(officer_id)
    for dossier_id, finished_at, due in finished:
        if finished_at is None or due is None:
            continue  # the query keeps only dossiers with both
        late = judge_timeliness(finished_at, due) == "late"
        for target in [commune, *(row(i) for i in handlers.get(dossier_id, ()))]:
            target.finished += 1
            target.late += late
            target.timely += not late

    rated = (Rating.created_at >= start) & (Rating.created_at < end)
    for officer_id, score, comment in db.session.execute(
            select(RatingOfficer.officer_id, Rating.score, Rating.comment)
            .join(Rating, Rating.id == RatingOfficer.rating_id)
            .where(Rating.agency_id == agency_id, rated)):
        row(officer_id).add_score(score)
        if comment:
            row(officer_id).comments.append(comment)
    for score, comment in db.session.execute(
            select(Rating.score, Rating.comment).where(Rating.agency_id == agency_id, rated)):
        commune.add_score(score)
        if comment:
            commune.comments.append(comment)
    for officer_id, score, n in db.session.execute(
            select(KioskRating.officer_id, KioskRating.score, func.count())
            .where(KioskRating.agency_id == agency_id, KioskRating.rated_at >= start,
                   KioskRating.rated_at < end)
            .group_by(KioskRating.officer_id, KioskRating.score)):
        commune.add_score(score, int(n))
        if officer_id is not None:
            row(officer_id).add_score(score, int(n))
    listed = sorted((r for r in rows.values()
                     if r.handled or r.finished or r.satisfied + r.neutral + r.not_satisfied
                     or r.officer_id in officers),
                    key=lambda r: r.name)
    return Report(month, commune, listed)


def table(report: Report, commune_name: str) -> list[list[Any]]:
    head = [HEADERS["officer"], *(HEADERS[c] for c in COLUMNS)]
    body = [[commune_name, *report.commune.values()]]
    body += [[r.name, *r.values()] for r in report.officers]
    return [head, *body]


def comments(report: Report) -> list[list[str]]:
    out = [[HEADERS["officer"], "Ý kiến"]]
    out += [[r.name, c] for r in report.officers for c in r.comments]
    return out


def sheets(report: Report, commune_name: str) -> list[exports.Sheet]:
    """The XLSX: the table (its two shares as percentages), then the comments."""
    return [exports.Sheet(f"{report.month:%Y-%m}", table(report, commune_name),
                          {"F": "0.0%", "J": "0.0%"}),
            exports.Sheet("Y kien", comments(report))]
