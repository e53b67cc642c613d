"""Running a library's coroutine from synchronous code, whatever the calling thread runs."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_coroutine(coro: Coroutine[Any, Any, T]) -> T:
    """Run `coro` to its end on a fresh event loop. A thread that already runs a loop (an
    async server, a browser driver in the tests) cannot start another, so the coroutine then
    runs on a loop of its own in a short-lived thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()
