"""Reads on the procedure catalogue: one procedure by code, the list of fields."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.extensions import db
from app.procedures.fees import with_province_rates
from app.procedures.models import Procedure, ProvinceFeeRate

if TYPE_CHECKING:
    from app.places.models import Agency


def procedure_by_code(code: str) -> Procedure | None:
    """An active procedure with its documents, or None."""
    return db.session.scalar(
        select(Procedure).options(selectinload(Procedure.documents))
        .where(Procedure.code == code.strip(), Procedure.active.is_(True)))


def procedure_fields(session: Session | None = None) -> list[str]:
    """The fields (lĩnh vực) that have at least one active procedure, by name (read through
    `session`, e.g. the search page's public_session; db.session when not given)."""
    fields = (session or db.session).scalars(
        select(Procedure.field).where(Procedure.active.is_(True)).distinct())
    return sorted(fields)


def province_rates(agency_id: int, procedure_id: int) -> dict[str, ProvinceFeeRate]:
    """The amounts a commune recorded for one procedure's province-set fees, by fee label."""
    rows = db.session.scalars(select(ProvinceFeeRate).where(
        ProvinceFeeRate.agency_id == agency_id, ProvinceFeeRate.procedure_id == procedure_id))
    return {row.fee_label: row for row in rows}


def fees_for(procedure: Procedure, agency: Agency | None) -> list[dict[str, Any]]:
    """The procedure's fee items as `agency` charges them: the one place every page, the
    quote (and so the VietQR amount) and the API read a commune's province-set amounts."""
    fees = list(procedure.fees or [])
    if agency is None or not any(item.get("kind") == "set_by_province" for item in fees):
        return fees
    rates = province_rates(agency.id, procedure.id)
    if not rates:
        return fees
    province = agency.parent.name if agency.parent else ""
    return with_province_rates(fees, rates, province)
