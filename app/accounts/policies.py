"""Who may do what: predicates shared by views and templates."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app
from flask_login import current_user

from app.accounts.models import Officer, Role


def officers_only() -> Any:
    """before_request guard of every officer blueprint: deny by default, so a route added
    later without a check of its own is still closed. Each route then checks its object."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    if not is_officer(current_user):
        abort(403)
    return None


def no_store(response: Response) -> Response:
    """after_request of officer blueprints: personal data is never kept by any cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


def is_officer(user: Any) -> bool:
    return isinstance(user, Officer) and user.is_authenticated


def can_manage_posters(user: Any, agency_id: int) -> bool:
    """Commune admins print their own commune's posters; system admins any commune's."""
    if not is_officer(user):
        return False
    if user.role == Role.SYSTEM_ADMIN:
        return True
    return user.role == Role.COMMUNE_ADMIN and user.agency_id == agency_id
