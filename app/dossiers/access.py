"""Who may see a dossier: the secret link, this browser's session, or this phone's list.

The session remembers dossiers opened during this visit; a signed, HttpOnly, long-lived
cookie ("Hồ sơ trên điện thoại này") remembers up to 20 (code, secret) pairs across visits.

Tracking by code + phone proves much less than the secret link: codes run in sequence
each day and a villager's phone number is known to the neighbours. It earns only the
status page (`tracked`), kept apart from the full access the secret gives.
"""

from __future__ import annotations

from flask import Response, current_app, g, request, session
from itsdangerous import BadSignature, URLSafeSerializer

from app.dossiers.codes import secret_matches
from app.dossiers.models import Dossier

SESSION_KEY = "dossiers"
TRACKED_KEY = "tracked_dossiers"
COOKIE = "my_dossiers"
MAX_REMEMBERED = 20
COOKIE_MAX_AGE = 400 * 86400  # the longest lifetime browsers honour


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="motcua.my-dossiers")


def remembered() -> list[tuple[str, str]]:
    """The (code, secret) pairs this phone remembers, newest first; [] if tampered with."""
    if "my_dossiers" in g:
        return list(g.my_dossiers)
    raw = request.cookies.get(COOKIE)
    pairs: list[tuple[str, str]] = []
    if raw:
        try:
            loaded = _serializer().loads(raw)
            pairs = [(str(c), str(s)) for c, s in loaded][:MAX_REMEMBERED]
        except (BadSignature, TypeError, ValueError):
            pairs = []
    return pairs


def _store(pairs: list[tuple[str, str]]) -> None:
    g.my_dossiers = pairs[:MAX_REMEMBERED]
    g.my_dossiers_changed = True


def remember(dossier: Dossier, secret: str | None) -> None:
    """Put the dossier at the top of this phone's list (a counter dossier has no secret to
    remember: it stays reachable for this visit only).

    Only the dossier's own secret is ever stored: a mistyped or forged link must not
    replace the right secret this phone already has, or the dossier drops off "/my".
    """
    if not secret or not secret_matches(secret, dossier.tracking_secret_hash):
        return
    code = dossier.code
    current = remembered()
    if current[:1] == [(code, secret)]:
        return  # already on top: no need to rewrite the cookie
    _store([(code, secret), *[(c, s) for c, s in current if c != code]])


def forget(code: str) -> None:
    pairs = remembered()
    _store([(c, s) for c, s in pairs if c != code])
    granted = [c for c in session.get(SESSION_KEY, []) if c != code]
    session[SESSION_KEY] = granted
    session[TRACKED_KEY] = [c for c in session.get(TRACKED_KEY, []) if c != code]


def grant(dossier: Dossier) -> None:
    """Remember for this visit that the browser proved access to the dossier."""
    granted = [c for c in session.get(SESSION_KEY, []) if c != dossier.code]
    session[SESSION_KEY] = [dossier.code, *granted][:MAX_REMEMBERED]


def grant_tracking(dossier: Dossier) -> None:
    """Remember for this visit that the browser gave the dossier's code and phone: enough
    for its status page, not for its personal data, files or actions."""
    tracked = [c for c in session.get(TRACKED_KEY, []) if c != dossier.code]
    session[TRACKED_KEY] = [dossier.code, *tracked][:MAX_REMEMBERED]


def is_tracked(dossier: Dossier) -> bool:
    return dossier.code in session.get(TRACKED_KEY, [])


def has_access(dossier: Dossier, secret: str | None = None) -> bool:
    if secret and secret_matches(secret, dossier.tracking_secret_hash):
        return True
    if dossier.code in session.get(SESSION_KEY, []):
        return True
    return any(code == dossier.code and secret_matches(s, dossier.tracking_secret_hash)
               for code, s in remembered())


def write_cookie(response: Response) -> Response:
    """After-request: persist the phone's list if this request changed it."""
    if not g.get("my_dossiers_changed"):
        return response
    pairs = g.my_dossiers
    if not pairs:
        response.delete_cookie(COOKIE, httponly=True, samesite="Lax")
        return response
    response.set_cookie(COOKIE, _serializer().dumps([list(p) for p in pairs]),
                        max_age=COOKIE_MAX_AGE, httponly=True, samesite="Lax",
                        secure=current_app.config["MOTCUA"].production)
    return response
