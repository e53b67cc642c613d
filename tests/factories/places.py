"""Communes and their villages."""

from __future__ import annotations

from app.extensions import db
from app.places.models import Agency, Village


def agency(slug: str, name: str, code: str) -> Agency:
    """A commune with two villages (`<slug>-thon1`, `<slug>-thon2`)."""
    found = Agency(slug=slug, name=name, code=code, kind="commune")
    db.session.add(found)
    db.session.flush()
    db.session.add(Village(agency_id=found.id, code=f"{slug}-thon1", name="Thôn Một"))
    db.session.add(Village(agency_id=found.id, code=f"{slug}-thon2", name="Thôn Hai"))
    db.session.flush()
    return found
