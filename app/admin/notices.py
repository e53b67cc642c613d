"""The in-app notice every admin of a commune sees on the officer pages while a change of
the bank account waits for approval, and for a week after it was decided. (Officers have no
push subscriptions in Motcua; this banner is the channel.)"""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from flask_login import current_user

from app.admin import bank, policies
from app.admin.models import BankAccountChange
from app.core.staff_area import is_staff_endpoint


def bank_notices() -> list[tuple[str, BankAccountChange]]:
    """[("pending" | "approved" | "refused", change)] for the signed-in admin's commune."""
    if not is_staff_endpoint(request.endpoint) or not policies.is_admin(current_user):
        return []
    found: list[tuple[str, BankAccountChange]] = []
    pending = bank.open_change(current_user.agency_id)
    if pending is not None:
        found.append(("pending", pending))
    found += [(change.status, change) for change in bank.recent_decisions(current_user.agency_id)]
    return found


def init_app(app: Flask) -> None:
    @app.context_processor
    def _notices() -> dict[str, Any]:
        return {"admin_bank_notices": bank_notices}
