"""Who may see and do what in the back office; used by the views and the templates alike.

Everything is denied unless a rule below allows it: an officer sees only the dossiers of
their own agency, and acts only where the workflow table gives their role the move.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from app.accounts.models import Role
from app.accounts.policies import is_officer
from app.dossiers import workflow
from app.dossiers.models import Dossier, DossierStatus

# The desk roles are whoever the workflow lets receive a dossier: one source for the rule.
_DESK_ROLES = workflow.TRANSITIONS[(DossierStatus.SUBMITTED, "receive")].roles


def can_view_dossier(officer: Any, dossier: Dossier | None) -> bool:
    """Same agency only. Views answer 404 otherwise, so another commune's dossier looks
    exactly like one that does not exist."""
    return (dossier is not None and is_officer(officer)
            and officer.agency_id == dossier.agency_id)


def allowed_actions(officer: Any, dossier: Dossier, today: date | None = None) -> list[str]:
    """The workflow moves this officer may make on this dossier now, in table order."""
    if not can_view_dossier(officer, dossier):
        return []
    return workflow.allowed_actions(dossier, workflow.Actor.for_officer(officer), today)


def can_take(officer: Any, dossier: Dossier, action: str, today: date | None = None) -> bool:
    return action in allowed_actions(officer, dossier, today)


# Whoever may issue a result may replace one: the specialist who marks it ready, the leader
# who approves it.
_RESULT_ROLES = (workflow.TRANSITIONS[(DossierStatus.IN_PROGRESS, "mark_result_ready")].roles
                 | workflow.TRANSITIONS[(DossierStatus.AWAITING_APPROVAL, "approve")].roles)
_RESULT_STATUSES = (DossierStatus.RESULT_READY, DossierStatus.RETURNED)


def can_replace_result(officer: Any, dossier: Dossier) -> bool:
    """A wrong result is replaced (never edited) once issued, also after the hand-over."""
    return (can_view_dossier(officer, dossier) and officer.role in _RESULT_ROLES
            and dossier.status in _RESULT_STATUSES)


def can_receive_at_counter(officer: Any) -> bool:
    return is_officer(officer) and officer.role in _DESK_ROLES


def can_export_audit(officer: Any) -> bool:
    """The commune admin answers for personal data: only they read the whole trail."""
    return is_officer(officer) and officer.role == Role.COMMUNE_ADMIN


def can_view_dashboard(officer: Any) -> bool:
    # Figures about the commune's own timeliness, no personal data: every officer of it.
    return is_officer(officer)
