"""Writes on places: scan counting. Flush only; the request or command commits."""

from __future__ import annotations

from datetime import date

from sqlalchemy.dialects import postgresql, sqlite

from app.core.vntime import vietnam_today
from app.extensions import db
from app.places.models import VillageScan


def count_scan(village_id: int, day: date | None = None) -> None:
    """Add one QR scan to the village's count for the day.

    A single INSERT … ON CONFLICT DO UPDATE, so two phones scanning at once both count and
    no read-modify-write race exists. Nothing about the scanner is stored.
    """
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(VillageScan).values(village_id=village_id, day=day or vietnam_today(), count=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[VillageScan.village_id, VillageScan.day],
        set_={"count": VillageScan.count + 1},
    )
    db.session.execute(stmt)
