"""The write of a commune's settings page: every changed field set, and one audit line per
change with its value before and after. Flush only; the request commits once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.accounts.models import Officer
from app.backoffice.services import record
from app.extensions import db
from app.places.models import Agency
from app.places.settings_forms import CommuneSettings, FeeSlot
from app.procedures.models import ProvinceFeeRate

# The fields of the page that land on Agency as they are. The bank account is not one of
# them: it changes only through its own two-person procedure.
AGENCY_FIELDS = ("name", "address", "hotline", "email", "opening_hours", "latitude",
                 "longitude", "receipt_series")


def fee_slots(agency: Agency) -> list[FeeSlot]:
    """The commune's active procedures' province-set fee items, by procedure name."""
    procedures = sorted((p for p in agency.procedures if p.active), key=lambda p: p.name)
    return [FeeSlot(p.id, p.code, p.name, i, str(item.get("label") or ""))
            for p in procedures for i, item in enumerate(p.fees or [])
            if item.get("kind") == "set_by_province"]


def fee_rates(agency: Agency) -> dict[tuple[int, str], ProvinceFeeRate]:
    rows = db.session.scalars(select(ProvinceFeeRate).where(
        ProvinceFeeRate.agency_id == agency.id))
    return {(row.procedure_id, row.fee_label): row for row in rows}


def _rate_dict(rate: Any) -> dict[str, Any] | None:
    if rate is None:
        return None
    return {"amount": rate.amount, "per": rate.per, "resolution": rate.resolution}


def save_settings(agency: Agency, settings: CommuneSettings, officer: Officer) -> list[str]:
    """Apply the form to the commune; the names of the fields that changed."""
    changed: list[str] = []
    for name in AGENCY_FIELDS:
        before, after = getattr(agency, name), getattr(settings, name)
        if before == after:
            continue
        setattr(agency, name, after)
        record(officer, f"settings:{name}", agency_id=agency.id,
               changes={"field": name, "before": before, "after": after})
        changed.append(name)
    stored = fee_rates(agency)
    codes = {p.id: p.code for p in agency.procedures}
    for (procedure_id, label), wanted in settings.fee_rates.items():
        row = stored.get((procedure_id, label))
        before, after = _rate_dict(row), _rate_dict(wanted)
        if before == after:
            continue
        if wanted is None and row is not None:
            db.session.delete(row)
        elif row is None and wanted is not None:
            db.session.add(ProvinceFeeRate(agency_id=agency.id, procedure_id=procedure_id,
                                           fee_label=label, amount=wanted.amount,
                                           per=wanted.per, resolution=wanted.resolution))
        elif row is not None and wanted is not None:
            row.amount, row.per, row.resolution = wanted.amount, wanted.per, wanted.resolution
        field = f"province_fee:{codes.get(procedure_id, procedure_id)}:{label}"
        record(officer, "settings:province_fee", agency_id=agency.id,
               changes={"field": field, "before": before, "after": after})
        changed.append(field)
    db.session.flush()
    return changed


def commune_by_slug(slug: str) -> Agency | None:
    agency = db.session.scalar(select(Agency).where(Agency.slug == slug.strip().lower()))
    return agency if agency is not None and agency.is_commune else None


