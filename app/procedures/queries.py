"""Reads on the procedure catalogue: one procedure by code, the list of fields."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.procedures.models import Procedure


def procedure_by_code(code: str) -> Procedure | None:
    """An active procedure with its documents, or None."""
    return db.session.scalar(
        select(Procedure).options(selectinload(Procedure.documents))
        .where(Procedure.code == code.strip(), Procedure.active.is_(True)))


def procedure_fields() -> list[str]:
    """The fields (lĩnh vực) that have at least one active procedure, by name."""
    fields = db.session.scalars(
        select(Procedure.field).where(Procedure.active.is_(True)).distinct())
    return sorted(fields)
