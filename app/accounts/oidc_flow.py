"""The browser side of an OpenID Connect sign-in, shared by citizens and staff: where a
sign-in starts, which `next` is safe, and the page that says it did not work."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from app.accounts import oidc
from app.core.redirects import safe_local_target

# The one redirect URI registered with the providers: the citizens' sign-in blueprint
# serves it and hands staff sign-ins to the staff side (app/accounts/views.py).
CALLBACK_ENDPOINT = "signin.callback"


def refused(message: str, status: int = 400) -> tuple[str, int]:
    return render_template("citizens/login_error.html", message=message), status


def start(kind: str) -> Response | tuple[str, int]:
    """Send the browser to the provider of `kind`, remembering a safe `next`."""
    next_url = safe_local_target(request.args.get("next"))
    if not oidc.enabled(kind):
        flash(oidc.OidcError("disabled").message, "info")
        return redirect(next_url or url_for("places.home"))
    try:
        url = oidc.authorization_url(kind, url_for(CALLBACK_ENDPOINT, _external=True),
                                     next_url)
    except oidc.OidcError as err:
        return refused(err.message, 503)
    return redirect(url)
