"""A short-lived, per-process cache of rendered public pages.

A village page is the same for every anonymous visitor in one language, and it is what a
crowd in front of a QR poster opens at once. Rendering it costs a few milliseconds; a cached
copy costs almost nothing. Entries live PAGE_CACHE_SECONDS (30 s by default), so an edited
hotline or a new procedure shows within half a minute. Each process keeps its own copy and
nothing depends on it, so running many processes is harmless.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import current_app, g, request, session
from flask_login import current_user

MAX_ENTRIES = 512
T = TypeVar("T")


class PageCache:
    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_build(self, key: Hashable, build: Callable[[], T]) -> T:
        """The cached value, or build() stored for ttl seconds (a None result is not kept)."""
        now = time.monotonic()
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and hit[0] > now:
                self._entries.move_to_end(key)
                return hit[1]
        body = build()  # outside the lock: a slow render must not hold other pages up
        if body is None:
            return body
        with self._lock:
            self._entries[key] = (now + self.ttl, body)
            self._entries.move_to_end(key)
            while len(self._entries) > MAX_ENTRIES:
                self._entries.popitem(last=False)
        return body


def _cache() -> PageCache | None:
    ttl = float(current_app.config.get("PAGE_CACHE_SECONDS", 30))
    if ttl <= 0:
        return None
    return current_app.extensions.setdefault("motcua_page_cache", PageCache(ttl))


def shared_page(key: Hashable, build: Callable[[], T]) -> T:
    """What build() gives for `key` (a rendered page, or the page with what the view needs
    besides), built at most once per TTL when the request is anonymous.

    Anything personal bypasses the cache: a signed-in user, pending flash messages, or a
    session holding a CSRF token (a page with a form would embed it).
    """
    cache = _cache()
    personal = (current_user.is_authenticated or "_flashes" in session
                or "csrf_token" in session or request.method != "GET")
    if cache is None or personal:
        return build()
    return cache.get_or_build((request.endpoint, key, g.get("lang", "vi")), build)
