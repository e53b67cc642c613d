"""Who may do what: predicates shared by views and templates. The staff area's guard
(app/core/staff_area.py) asks `is_officer`."""

from __future__ import annotations

from typing import Any

from app.accounts.models import Officer, Role


def is_officer(user: Any) -> bool:
    return isinstance(user, Officer) and user.is_authenticated


def can_manage_posters(user: Any, agency_id: int) -> bool:
    """Commune admins print their own commune's posters; system admins any commune's."""
    if not is_officer(user):
        return False
    if user.role == Role.SYSTEM_ADMIN:
        return True
    return user.role == Role.COMMUNE_ADMIN and user.agency_id == agency_id


def can_edit_commune_settings(user: Any, agency_id: int) -> bool:
    """The commune's own admin, or a system admin for any commune."""
    return can_manage_posters(user, agency_id)
