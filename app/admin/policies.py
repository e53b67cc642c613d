"""Who administers what. A commune admin runs their own commune; a system admin any commune.
Views answer 403 to an officer who is no admin at all, and 404 for an object of a commune
they do not run (as for another commune's dossier)."""

from __future__ import annotations

from typing import Any

from app.accounts.models import Officer, Role
from app.accounts.policies import is_officer

# Roles a commune admin may give; only a system admin makes system admins.
COMMUNE_ROLES = (Role.RECEIVING, Role.SPECIALIST, Role.LEADER, Role.COMMUNE_ADMIN)
ADMIN_ROLES = frozenset({Role.COMMUNE_ADMIN, Role.SYSTEM_ADMIN})


def is_admin(user: Any) -> bool:
    return is_officer(user) and user.role in ADMIN_ROLES


def administers(user: Any, agency_id: int) -> bool:
    if not is_admin(user):
        return False
    return user.role == Role.SYSTEM_ADMIN or user.agency_id == agency_id


def assignable_roles(user: Any) -> tuple[Role, ...]:
    if is_admin(user) and user.role == Role.SYSTEM_ADMIN:
        return tuple(Role)
    return COMMUNE_ROLES if is_admin(user) else ()


def can_manage_officer(user: Any, target: Officer) -> bool:
    """A commune admin manages their commune's officers but never a system admin."""
    return administers(user, target.agency_id) and (
        user.role == Role.SYSTEM_ADMIN or target.role != Role.SYSTEM_ADMIN)


def can_decide_bank_change(user: Any, agency_id: int, proposed_by_id: int) -> bool:
    """The second person: another admin of the commune, or a system admin; never the
    proposer."""
    return administers(user, agency_id) and user.id != proposed_by_id
