"""Reads about citizen accounts: the account's dossiers."""

from __future__ import annotations

from sqlalchemy import select

from app.citizens.models import Citizen
from app.dossiers.models import Dossier
from app.extensions import db


def find_citizen(issuer: str, subject: str) -> Citizen | None:
    return db.session.scalar(select(Citizen).where(Citizen.issuer == issuer,
                                                   Citizen.subject == subject))


def dossiers_of(citizen: Citizen) -> list[Dossier]:
    """Every dossier saved to the account, newest first."""
    return list(db.session.scalars(
        select(Dossier).where(Dossier.citizen_account_id == citizen.id)
        .order_by(Dossier.submitted_at.desc(), Dossier.id.desc())))
