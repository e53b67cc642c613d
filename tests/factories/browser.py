"""Waiting on a Playwright page: for a script to hold, for the service worker to control
the page or to have stored a path."""

from __future__ import annotations

import time
from typing import Any


def until(page: Any, script: str, arg: Any = None, what: str = "") -> None:
    """Poll `script` in the page until it is truthy. (wait_for_function evaluates strings,
    which the app's CSP rightly forbids; evaluate() goes through the DevTools protocol.)"""
    deadline = time.monotonic() + 15
    while not page.evaluate(script, arg):
        assert time.monotonic() < deadline, f"timed out waiting for {what or script}"
        page.wait_for_timeout(50)


def controlled(page: Any) -> None:
    """Wait until the service worker controls the page: only then can it answer offline."""
    until(page, "() => navigator.serviceWorker.controller !== null", what="the worker")


def kept(page: Any, path: str) -> None:
    """Wait until the worker has stored `path` (storing finishes after the page is shown)."""
    until(page, "async (path) => !!(await caches.match(new URL(path, location.href).href))",
           path, what=f"{path} in the cache")


def wait_for_thumbnails(page: Any, count: int) -> None:
    page.wait_for_function("(n) => document.querySelectorAll('.apply-thumbs img').length >= n",
                           arg=count)


def slow_upload(page: Any, bytes_per_second: int) -> None:
    """A slow village connection: uploads throttled to this rate (Chromium only)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 40, "downloadThroughput": -1,
        "uploadThroughput": bytes_per_second})
