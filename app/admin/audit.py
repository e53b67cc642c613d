"""Administration changes in the audit trail: who, when, on which officer, before/after.

Rows go to the one audit trail (app/backoffice/models.py AuditEntry, append-only) through its
one writer. Passwords, password links and TOTP secrets never appear: only that they changed.
"""

from __future__ import annotations

from typing import Any

from app.accounts.models import Officer
from app.backoffice.models import AuditEntry
from app.backoffice.services import record


def officer_snapshot(officer: Officer) -> dict[str, Any]:
    return {"username": officer.username, "full_name": officer.full_name,
            "role": officer.role, "agency_id": officer.agency_id,
            "active": bool(officer.active)}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Only what changed, as {"before": {...}, "after": {...}}."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {"before": {k: before.get(k) for k in keys}, "after": {k: after[k] for k in keys}}


def officer_change(actor: Officer | None, what: str, target: Officer,
                   changes: dict[str, Any]) -> AuditEntry:
    """`actor` None is the command line (flask create-officer): the row then names the new
    account itself as the one acting, marked "via": "cli"."""
    if actor is None:
        return record(target, f"officer:{what}", agency_id=target.agency_id, subject=target,
                      changes={**changes, "via": "cli"})
    return record(actor, f"officer:{what}", agency_id=target.agency_id, subject=target,
                  changes=changes)


def bank_change(actor: Officer, what: str, agency_id: int,
                changes: dict[str, Any]) -> AuditEntry:
    return record(actor, f"bank_account:{what}", agency_id=agency_id, changes=changes)
