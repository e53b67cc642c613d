"""The signed cookie that locks a tablet to one counter's kiosk page.

An officer opens the kiosk once from the back office; the cookie then lets the tablet show
the kiosk and send ratings without anyone signed in. SameSite=Strict: no other site can
make the tablet send a rating, which is why the kiosk posts need no CSRF token.
"""

from __future__ import annotations

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.wrappers import Response as BaseResponse

from app.feedback.models import Counter

COOKIE = "motcua_kiosk"
MAX_AGE = 400 * 86400


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="motcua.kiosk")


def unlocks(counter: Counter) -> bool:
    """Does this request come from a tablet opened for `counter` (and not locked out since)?"""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return False
    try:
        data = _serializer().loads(raw)
        return int(data["c"]) == counter.id and int(data["v"]) == counter.kiosk_version
    except (BadSignature, KeyError, TypeError, ValueError):
        return False


def lock_to(response: BaseResponse, counter: Counter) -> BaseResponse:
    response.set_cookie(COOKIE, _serializer().dumps({"c": counter.id, "v": counter.kiosk_version}),
                        max_age=MAX_AGE, path="/kiosk", httponly=True, samesite="Strict",
                        secure=current_app.config["MOTCUA"].production)
    return response
