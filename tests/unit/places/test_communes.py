"""One definition of a commune: the kinds, the model's test and the query agree."""

from __future__ import annotations

from flask import Flask

from app.extensions import db
from app.places.models import AGENCY_KINDS, Agency
from app.places.queries import communes, select_communes


def test_communes_are_the_commune_level_kinds_only(app: Flask) -> None:
    with app.app_context():
        for kind in AGENCY_KINDS:
            db.session.add(Agency(code=f"000.{kind}", slug=kind.replace("_", "-"),
                                  name=f"Đơn vị {kind}", kind=kind))
        db.session.flush()
        selected = {a.kind for a in db.session.scalars(select_communes())}
        assert selected == set(Agency.COMMUNE_KINDS) == {"commune", "ward", "special_zone"}
        assert {a.kind for a in communes()} == selected
        everyone = list(db.session.scalars(db.select(Agency)))
        assert {a.kind for a in everyone if a.is_commune} == selected
        assert [a.kind for a in everyone if a.is_province] == ["province"]
        db.session.rollback()
