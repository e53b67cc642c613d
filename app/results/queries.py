"""Reads of results: a dossier's results, one by its number or by its public id."""

from __future__ import annotations

from sqlalchemy import select

from app.dossiers.models import Dossier
from app.extensions import db
from app.results.models import ResultDocument


def results_of(dossier: Dossier) -> list[ResultDocument]:
    """Every result of the dossier, oldest first (revoked ones too: they stay on record)."""
    return list(db.session.scalars(select(ResultDocument)
                                   .where(ResultDocument.dossier_id == dossier.id)
                                   .order_by(ResultDocument.number)))


def current_results(dossier: Dossier) -> list[ResultDocument]:
    return [r for r in results_of(dossier) if not r.revoked]


def result_by_number(dossier: Dossier, number: int) -> ResultDocument | None:
    return db.session.scalar(select(ResultDocument).where(
        ResultDocument.dossier_id == dossier.id, ResultDocument.number == number))


def result_by_public_id(public_id: str) -> ResultDocument | None:
    if not public_id or len(public_id) > 40:
        return None
    return db.session.scalar(select(ResultDocument)
                             .where(ResultDocument.public_id == public_id))
