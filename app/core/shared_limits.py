"""What a rate limit does while its shared counter store (Redis) is unreachable.

Most limits fail open: Flask-Limiter's in-memory fallback counts in each process until Redis
answers again, so public pages and submissions keep working. Limits that stop guessing a
dossier from its code and a phone number fail closed: counted per process, N processes
would allow N times the guesses, so those endpoints refuse (503, in Vietnamese) until
Redis is back. Officer sign-in stays open: its throttle per account and address lives in
PostgreSQL (app/accounts/throttle.py), whatever Redis does.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app, make_response, request
from flask_babel import gettext as _

from app.core.errors import RETRY_AFTER_SECONDS, render_error
from app.extensions import limiter


def counters_reachable() -> bool:
    """True when the limits are counted in one place: memory storage (one process by
    definition), or a shared store that answers now."""
    if current_app.config["MOTCUA"].ratelimit_storage_uri.startswith("memory://"):
        return True
    try:
        return bool(limiter.storage.check())
    except Exception:  # noqa: BLE001 (any failure of the store means "not reachable")
        return False


def fails_closed(view: Callable[..., Any]) -> Callable[..., Any]:
    """The view's POST refuses while the shared counters are unreachable."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if request.method == "POST" and not counters_reachable():
            current_app.logger.warning("rate-limit store unreachable: %s refused",
                                       request.path)
            body, status = render_error(
                503, _("Tra cứu tạm ngừng"),
                _("Tra cứu hồ sơ bằng mã và số điện thoại đang tạm ngừng trong ít phút để "
                  "bảo vệ thông tin của người dân. Vui lòng thử lại sau; đường dẫn theo dõi "
                  "nhận được khi nộp hồ sơ vẫn mở được hồ sơ."),
                code="lookup_paused")
            response = make_response(body, status)
            response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        return view(*args, **kwargs)

    return guarded
