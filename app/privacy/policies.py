"""Who may handle personal-data duties; used by the views and the templates alike.

Admins answer for a commune's personal data (breaches, the report of views); the desk,
which receives citizens, answers their requests. Every object is of one commune, and an
officer of another commune gets the 404 of an object that does not exist.
"""

from __future__ import annotations

from typing import Any

from app.accounts.models import Role
from app.accounts.policies import is_officer

ADMIN_ROLES = frozenset({Role.COMMUNE_ADMIN, Role.SYSTEM_ADMIN})
REQUEST_ROLES = frozenset({Role.RECEIVING, Role.COMMUNE_ADMIN})


def can_manage_privacy(officer: Any) -> bool:
    """Breaches and the report of views: the commune's admins."""
    return is_officer(officer) and officer.role in ADMIN_ROLES


def can_answer_requests(officer: Any) -> bool:
    """The citizens' requests about their data: the receiving desk and the commune admin."""
    return is_officer(officer) and officer.role in REQUEST_ROLES


def same_commune(officer: Any, thing: Any) -> bool:
    return thing is not None and is_officer(officer) and thing.agency_id == officer.agency_id
