"""The staff area: one parent blueprint that every staff-only blueprint is nested under.

Its guard runs before every child's route and denies by default, so a page added later
without a check of its own is still closed; only the sign-in steps listed in
`ANONYMOUS_OK` open to a visitor who is not signed in. Each route still checks its object
and role. Every answer of the area is marked `no-store`: staff pages carry personal data.
The counter kiosk and the hall display are public devices with their own credentials and
stay outside.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Blueprint, Response, abort, current_app, request
from flask_login import current_user

NAME = "staff"
# The steps before an officer is signed in: password, TOTP (or its first setup), and the
# hand-over to the staff identity provider, and choosing a password through the one-time link
# an admin handed over. Nothing else of the area answers anonymously.
ANONYMOUS_OK = frozenset({
    f"{NAME}.accounts.login",
    f"{NAME}.accounts.login_totp",
    f"{NAME}.accounts.login_totp_setup",
    f"{NAME}.accounts.login_oidc",
    f"{NAME}.password_link.start",
    f"{NAME}.password_link.set_password",
})


def staff_area(children: Iterable[Blueprint], is_staff: Callable[[Any], bool]) -> Blueprint:
    """A fresh parent blueprint (one per app) holding `children`, guarded by `is_staff`.

    The URL paths stay the children's own (the parent adds no prefix); their endpoints gain
    the `staff.` prefix, e.g. `staff.backoffice.inbox`.
    """
    area = Blueprint(NAME, __name__)

    @area.before_request
    def _staff_only() -> Any:
        if request.endpoint in ANONYMOUS_OK:
            return None
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
        if not is_staff(current_user):
            abort(403)
        return None

    @area.after_request
    def _no_store(response: Response) -> Response:
        # Applies to errors the guard raised as well: no cache keeps any staff answer.
        response.headers["Cache-Control"] = "no-store"
        return response

    for child in children:
        area.register_blueprint(child)
    return area


def is_staff_endpoint(endpoint: str | None) -> bool:
    return bool(endpoint) and str(endpoint).startswith(NAME + ".")
