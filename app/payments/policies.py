"""Who may handle fee money in the back office (views and templates alike)."""

from __future__ import annotations

from typing import Any

from app.accounts.policies import is_officer
from app.dossiers import workflow
from app.dossiers.models import DossierStatus

# Whoever the workflow lets receive a dossier and hand over a result takes the fee too.
_DESK_ROLES = workflow.TRANSITIONS[(DossierStatus.RESULT_READY, "return_result")].roles


def can_handle_money(officer: Any) -> bool:
    return is_officer(officer) and officer.role in _DESK_ROLES
