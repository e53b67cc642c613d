"""Who may rate, answer feedback, run a counter tablet and read the monthly reports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from app.accounts.models import Role
from app.accounts.policies import is_officer
from app.core.models import utcnow
from app.dossiers import access
from app.dossiers.models import Dossier, DossierStatus
from app.feedback.models import Counter, Feedback, Rating

RATING_EDIT_WINDOW = timedelta(days=7)
# The citizen is asked once the dossier is over for them, whatever the outcome.
RATEABLE_STATUSES = frozenset({DossierStatus.RETURNED, DossierStatus.REJECTED,
                               DossierStatus.WITHDRAWN})
_ANSWERING_ROLES = frozenset({Role.LEADER, Role.COMMUNE_ADMIN})
_COUNTER_ROLES = frozenset({Role.RECEIVING, Role.LEADER, Role.COMMUNE_ADMIN})


def is_rateable(dossier: Dossier) -> bool:
    return dossier.status in RATEABLE_STATUSES


def can_rate(dossier: Dossier, secret: str | None = None) -> bool:
    """Only the dossier's own citizen: whoever holds its tracking access."""
    return is_rateable(dossier) and access.has_access(dossier, secret)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def rating_editable(rating: Rating | None, now: datetime | None = None) -> bool:
    if rating is None:
        return True
    return (now or utcnow()) - _aware(rating.created_at) <= RATING_EDIT_WINDOW


def same_agency(officer: Any, agency_id: int) -> bool:
    return is_officer(officer) and officer.agency_id == agency_id


def can_read_feedback(officer: Any, feedback: Feedback) -> bool:
    return same_agency(officer, feedback.agency_id)


def can_answer_feedback(officer: Any, feedback: Feedback | None = None) -> bool:
    """Leaders and the commune admin answer for the commune, and choose what is public."""
    ok = is_officer(officer) and officer.role in _ANSWERING_ROLES
    return ok and (feedback is None or officer.agency_id == feedback.agency_id)


def can_manage_counters(officer: Any) -> bool:
    return is_officer(officer) and officer.role in _COUNTER_ROLES


def can_manage_counter(officer: Any, counter: Counter) -> bool:
    return can_manage_counters(officer) and officer.agency_id == counter.agency_id


def can_read_full_report(officer: Any) -> bool:
    """Every officer sees their own figures; leaders and the admin see everyone's."""
    return is_officer(officer) and officer.role in _ANSWERING_ROLES
