"""Cache-Control on every response: nothing personal is stored, public pages briefly.

This is the server half of the service worker's contract (pwa/sw.js): the worker keeps a
page for offline reading only when it is public and not marked `private` or `no-store`. The
worker gets its lists of public and personal paths from here (`worker_lists`, filled in when
/sw.js is served), so the two halves cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, g, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user

# Pages about one person or only for staff: never stored by a browser, proxy or the worker.
PERSONAL_PREFIXES = ("/officer", "/admin", "/d", "/track", "/api", "/kiosk")
# The citizen pages worth keeping: these exact paths, and each section with everything under
# it (home, village pages, the procedure catalogue).
PUBLIC_PAGES = ("/",)
PUBLIC_SECTIONS = ("/v", "/procedures", "/stats")
# Pages kept on the holder's phone though never shared: a queue ticket (a signed link, a
# number and no name) must stay readable when the hall's signal drops. Marked `private,
# no-cache`: no proxy keeps them, the browser asks again each time, the worker keeps a copy.
HOLDER_SECTIONS = ("/q/t",)
HOLDER_CACHE_CONTROL = "private, no-cache"
# Endpoints that set their own caching (hashed static files, the PWA files): left alone, and
# the session is not touched for them, so they get no `Vary: Cookie`.
OWN_POLICY = frozenset({"static", "pwa.manifest", "pwa.service_worker", "pwa.icon"})
# A shared cache (nginx, a CDN) may keep a public page this long, and serve the old copy for
# STALE_SECONDS more while it fetches the new one: an edit shows within 90 s.
PUBLIC_MAX_AGE = 60
STALE_SECONDS = 30
PUBLIC_CACHE_CONTROL = f"public, max-age={PUBLIC_MAX_AGE}, stale-while-revalidate={STALE_SECONDS}"
# Logging out (/officer/logout, /officer/logout-everywhere) clears the browser's caches; the
# service worker drops its kept pages when it sees the same navigation.
LOGOUT_PREFIX = "/officer/logout"


def keep_private(response: Response) -> Response:
    """Never stored by a browser, proxy or the worker: personal data or one-time tokens."""
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def is_personal_path(path: str) -> bool:
    return any(_under(path, prefix) for prefix in PERSONAL_PREFIXES)


def is_holder_page(path: str) -> bool:
    return any(_under(path, section) for section in HOLDER_SECTIONS)


def is_public_page(path: str) -> bool:
    return path in PUBLIC_PAGES or any(_under(path, section) for section in PUBLIC_SECTIONS)


def worker_lists() -> dict[str, list[str]]:
    """What pwa/sw.js gets in place of its placeholders, e.g. `["__PUBLIC_PAGES__"]`; the
    worker's under() is _under() above."""
    return {"PUBLIC_PAGES": list(PUBLIC_PAGES), "PUBLIC_SECTIONS": list(PUBLIC_SECTIONS),
            "PERSONAL_PREFIXES": list(PERSONAL_PREFIXES),
            "HOLDER_SECTIONS": list(HOLDER_SECTIONS)}


def _shareable(response: Response) -> bool:
    """A page any anonymous visitor of this URL would get byte for byte: the language is in
    the URL (app/core/i18n.py), so nothing about the visitor changes it."""
    return (
        request.method in ("GET", "HEAD")
        and response.status_code == 200
        and response.mimetype == "text/html"
        and is_public_page(request.path)
        and "Cache-Control" not in response.headers
        # A session cookie about to be (re)sent, a language switch or a CSRF token make the
        # page personal.
        and not session.modified
        and not session.permanent
        and "csrf_token" not in g
    )


def apply(response: Response) -> Response:
    """After every request: private for personal paths and signed-in users, public where safe."""
    if request.endpoint in OWN_POLICY:
        return response
    if is_personal_path(request.path) or current_user.is_authenticated:
        keep_private(response)
        if (request.method == "POST" and request.path.startswith(LOGOUT_PREFIX)
                and response.status_code in (302, 303)):
            response.headers["Clear-Site-Data"] = '"cache"'
        return response
    if is_holder_page(request.path) and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = HOLDER_CACHE_CONTROL
        return response
    if _shareable(response):
        response.headers["Cache-Control"] = PUBLIC_CACHE_CONTROL
        g.shared_page = True  # the session interface below adds no `Vary: Cookie`
        # Revalidation: a weak ETag of the rendered body, 304 when the visitor holds it.
        response.add_etag(weak=True)
        response.make_conditional(request)
    return response


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, but a page marked shared above keeps no `Vary: Cookie`.

    Flask adds it whenever the session was read (Flask-Login reads it to learn that nobody is
    signed in), which would make every public page a separate cache entry per visitor. A
    shared page sets no cookie and does not depend on one, so the proxy may give it to all.
    """

    def save_session(self, app: Flask, session: Any, response: Response) -> None:
        super().save_session(app, session, response)
        if g.get("shared_page") and "Set-Cookie" not in response.headers:
            response.vary.discard("Cookie")


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
