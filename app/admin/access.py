"""How the admin pages find their commune and objects: 403 for an officer who is no admin,
404 for a commune (or an object of a commune) the admin does not run.

The staff area keeps the only blueprint-level guard (app/core/staff_area.py); the admin
check lives in these loaders, which every admin view calls first, so no admin page can
answer without it (tests/functional/test_admin_authz.py walks every URL)."""

from __future__ import annotations

from flask import abort, request
from flask_login import current_user

from app.accounts.models import Role
from app.admin import policies, queries
from app.places.models import Agency


def require_admin() -> None:
    """The staff area's guard has already sent anonymous visitors to the sign-in page."""
    if not policies.is_admin(current_user):
        abort(403)


def scope() -> int | None:
    """The commune whose objects the current admin may see; None: every commune."""
    require_admin()
    return None if current_user.role == Role.SYSTEM_ADMIN else current_user.agency_id


def chosen_agency() -> Agency:
    """`?agency=<slug>` (a system admin's choice), else the admin's own commune."""
    require_admin()
    slug = request.values.get("agency", "").strip()
    if not slug:
        return current_user.agency
    found = queries.agency_by_slug(slug[:40])
    if found is None or not policies.administers(current_user, found.id):
        abort(404)
    return found
