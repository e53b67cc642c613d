"""The statistics rollup (stats_daily): kept up to date by the workflow and the ratings.

Freshness: exact. Each workflow move and each rating adds its counts in the same
transaction that makes it, so the public figures change at the moment the move commits and
never count a move that was rolled back. The counts are gathered during the request and
written just before the commit, in key order, as one upsert per touched row: a row lock is
held only for the commit itself and two requests cannot deadlock on the rollup. Data that
enters without the workflow (imports, the benchmark's COPY) needs `flask stats rebuild`.
"""

from __future__ import annotations

from collections import Counter as Tally
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, case, delete, event, func, insert, inspect, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, object_session

from app.core.vntime import vietnam_day, vietnam_day_sql
from app.dossiers.models import Channel, Dossier, DossierEvent
from app.feedback.models import COUNTS, KioskRating, Rating, StatsDaily
from app.procedures.models import Procedure

Key = tuple[int, date, str]
_PENDING = "motcua_stats_pending"
# What a workflow move adds to the figures; the finish is judged by its own event.
_MOVE_COUNTS = {"return_result": "returned", "confirm_receipt": "returned",
                "reject": "rejected", "withdraw": "withdrawn"}
SCORE_COLUMNS = {"satisfied": "rated_satisfied", "neutral": "rated_neutral",
                 "not_satisfied": "rated_not_satisfied"}


def _pending(session: Session) -> list[Any]:
    return session.info.setdefault(_PENDING, [])


def record_move(dossier: Dossier, move: DossierEvent) -> None:
    """Called by workflow.apply for every move. The dossier is read again at commit time:
    a counter dossier is created as "submit" and only then marked as handed in at the desk."""
    from app.extensions import db

    # The dossier's own session: the figures must be written by the commit that writes it.
    session = object_session(dossier) or db.session()
    _pending(session).append(("move", dossier, move.action, move.at,
                              (move.data or {}).get("timeliness")))


def record_score(session: Session, agency_id: int, field: str, day: date,
                 old: str | None, new: str | None) -> None:
    """A rating given (old=None), changed, or taken back (new=None) on `day`'s figures."""
    _pending(session).append(("score", (agency_id, day, field), old, new))


def _move_deltas(dossier: Dossier, action: str, at: datetime, timeliness: str | None
                 ) -> dict[str, int]:
    if action == "submit":
        online = int(dossier.channel == Channel.ONLINE.value)
        return {"received": 1, "received_online": online}
    if action in ("approve", "mark_result_ready") and timeliness:
        return {f"finished_{timeliness}": 1}
    column = _MOVE_COUNTS.get(action)
    return {column: 1} if column else {}


def _collect(items: list[Any]) -> dict[Key, Tally[str]]:
    deltas: dict[Key, Tally[str]] = {}
    for item in items:
        if item[0] == "move":
            _kind, dossier, action, at, timeliness = item
            if inspect(dossier).transient:
                continue  # created in a savepoint that was rolled back
            counts = _move_deltas(dossier, action, at, timeliness)
            if not counts:
                continue
            agency_id = dossier.agency_id or dossier.agency.id
            key = (agency_id, vietnam_day(at), dossier.procedure.field)
            deltas.setdefault(key, Tally()).update(counts)
        else:
            _kind, key, old, new = item
            tally = deltas.setdefault(key, Tally())
            if old:
                tally[SCORE_COLUMNS[old]] -= 1
            if new:
                tally[SCORE_COLUMNS[new]] += 1
    return deltas


def _upsert(session: Session, deltas: dict[Key, Tally[str]]) -> None:
    table = cast(Table, StatsDaily.__table__)
    dialect = session.get_bind().dialect.name
    make_insert = pg_insert if dialect == "postgresql" else sqlite_insert
    # Sorted: two transactions touching the same rows lock them in the same order.
    for key in sorted(deltas):
        changed = {column: n for column, n in deltas[key].items() if n}
        if not changed:
            continue
        agency_id, day, field = key
        stmt = make_insert(table).values(
            agency_id=agency_id, day=day, field=field, month=day.replace(day=1),
            **{column: changed.get(column, 0) for column in COUNTS})
        stmt = stmt.on_conflict_do_update(
            index_elements=["agency_id", "day", "field"],
            set_={column: table.c[column] + stmt.excluded[column] for column in changed})
        session.execute(stmt)


@event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    items = session.info.pop(_PENDING, None)
    if items:
        with session.no_autoflush:
            deltas = _collect(items)
        _upsert(session, deltas)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)


# --- rebuild ---------------------------------------------------------------------------

def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def rebuild(session: Session) -> int:
    """Recompute every row from the dossiers, events and ratings (flush only); returns
    the number of rows. Several grouped statements, each one pass over its table."""
    dialect = session.get_bind().dialect.name
    rows: dict[Key, Tally[str]] = {}

    def add(agency_id: int, day: Any, field: str | None, **counts: Any) -> None:
        key = (agency_id, _as_date(day), field or "")
        rows.setdefault(key, Tally()).update({k: int(v or 0) for k, v in counts.items()})

    def grouped(day_column: Any, *columns: Any, where: Any = None,
                source: Any = Dossier) -> Any:
        day = vietnam_day_sql(day_column, dialect).label("day")
        inner = (select(Dossier.agency_id.label("agency_id"), day,
                        Procedure.field.label("field"), *columns)
                 .select_from(source).join(Procedure, Procedure.id == Dossier.procedure_id))
        if where is not None:
            inner = inner.where(where)
        return inner.subquery()

    sub = grouped(Dossier.submitted_at, Dossier.channel.label("channel"))
    for agency_id, day, field, n, online in session.execute(
            select(sub.c.agency_id, sub.c.day, sub.c.field, func.count(),
                   func.sum(case((sub.c.channel == Channel.ONLINE.value, 1), else_=0)))
            .group_by(sub.c.agency_id, sub.c.day, sub.c.field)):
        add(agency_id, day, field, received=n, received_online=online)

    sub = grouped(Dossier.finished_at, Dossier.due_date.label("due"),
                  where=Dossier.finished_at.is_not(None) & Dossier.due_date.is_not(None))
    for agency_id, day, field, early, on_time, late in session.execute(
            select(sub.c.agency_id, sub.c.day, sub.c.field,
                   func.sum(case((sub.c.day < sub.c.due, 1), else_=0)),
                   func.sum(case((sub.c.day == sub.c.due, 1), else_=0)),
                   func.sum(case((sub.c.day > sub.c.due, 1), else_=0)))
            .group_by(sub.c.agency_id, sub.c.day, sub.c.field)):
        add(agency_id, day, field, finished_early=early, finished_on_time=on_time,
            finished_late=late)

    sub = grouped(Dossier.returned_at, where=Dossier.returned_at.is_not(None))
    for agency_id, day, field, n in session.execute(
            select(sub.c.agency_id, sub.c.day, sub.c.field, func.count())
            .group_by(sub.c.agency_id, sub.c.day, sub.c.field)):
        add(agency_id, day, field, returned=n)

    source = DossierEvent.__table__.join(Dossier.__table__,
                                         Dossier.id == DossierEvent.dossier_id)
    sub = grouped(DossierEvent.at, DossierEvent.action.label("action"), source=source,
                  where=DossierEvent.action.in_(("reject", "withdraw")))
    for agency_id, day, field, action, n in session.execute(
            select(sub.c.agency_id, sub.c.day, sub.c.field, sub.c.action, func.count())
            .group_by(sub.c.agency_id, sub.c.day, sub.c.field, sub.c.action)):
        add(agency_id, day, field, **{_MOVE_COUNTS[action]: n})

    source = Rating.__table__.join(Dossier.__table__, Dossier.id == Rating.dossier_id)
    sub = grouped(Rating.created_at, Rating.score.label("score"), source=source)
    for agency_id, day, field, score, n in session.execute(
            select(sub.c.agency_id, sub.c.day, sub.c.field, sub.c.score, func.count())
            .group_by(sub.c.agency_id, sub.c.day, sub.c.field, sub.c.score)):
        add(agency_id, day, field, **{SCORE_COLUMNS[score]: n})

    day = vietnam_day_sql(KioskRating.rated_at, dialect).label("day")
    sub = select(KioskRating.agency_id, day, KioskRating.score).subquery()
    for agency_id, day, score, n in session.execute(
            select(sub.c.agency_id, sub.c.day, sub.c.score, func.count())
            .group_by(sub.c.agency_id, sub.c.day, sub.c.score)):
        add(agency_id, day, "", **{SCORE_COLUMNS[score]: n})

    session.execute(delete(StatsDaily))
    values = [{"agency_id": a, "day": d, "field": f, "month": d.replace(day=1),
               **{c: counts.get(c, 0) for c in COUNTS}}
              for (a, d, f), counts in rows.items()]
    for start in range(0, len(values), 5000):
        session.execute(insert(StatsDaily), values[start:start + 5000])
    return len(values)


def snapshot(session: Session) -> dict[Key, dict[str, int]]:
    """Every row as {key: counts} without zero counts, to compare the kept rollup with a
    rebuild (tests, `flask stats check`)."""
    out = {}
    for row in session.scalars(select(StatsDaily)):
        counts = {c: getattr(row, c) for c in COUNTS if getattr(row, c)}
        if counts:
            out[(row.agency_id, row.day, row.field)] = counts
    return out
