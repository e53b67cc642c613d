"""What one public page costs to render, in-process: mean/p50/p95 over N requests through
Flask's test client (page cache off), and per request the CPU time, the url_for calls,
gettext calls and SQL queries, beside /healthz as the floor. Prints a table.

    .venv/bin/python bench/render.py [--requests 500] [--lang vi|en] [--postgresql]
                                     [--profile PATH]

The counts come from wrappers installed by this script only (Flask.url_for, Babel's
ugettext, a SQLAlchemy cursor listener); the app is not changed to be measured. `--profile`
prints where one page's time goes (cProfile, the 25 costliest functions by own+callees time).
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import database, percentile, seed_database, workdir  # noqa: E402

SEARCH = "/procedures?q=dang+ky+khai+sinh"
COUNTS = {"url_for": 0, "gettext": 0, "sql": 0}


def _counting(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        COUNTS[name] += 1
        return func(*args, **kwargs)
    return wrapper


def install_counters() -> None:
    """Before the app exists: templates get `url_for` bound from Flask's class, and every
    gettext (template or Python) ends in a Babel translations object's ugettext."""
    from babel import support
    from flask import Flask

    Flask.url_for = _counting("url_for", Flask.url_for)  # type: ignore[method-assign]
    for cls in (support.NullTranslations, support.Translations):
        cls.ugettext = _counting("gettext", cls.ugettext)  # type: ignore[method-assign]


def measure(client: Any, path: str, total: int) -> dict[str, float]:
    for _ in range(max(10, total // 10)):  # warm up: compiled templates, caches, connections
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    times = []
    for key in COUNTS:
        COUNTS[key] = 0
    cpu_began = time.thread_time()
    for _ in range(total):
        began = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - began) * 1000)
    # CPU time moves less than wall time when other work shares the cores.
    cpu = (time.thread_time() - cpu_began) * 1000 / total
    result = {"mean": sum(times) / len(times), "p50": percentile(times, 0.50),
              "p95": percentile(times, 0.95), "cpu": cpu}
    result.update({key: value / total for key, value in COUNTS.items()})
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500, help="per page")
    parser.add_argument("--lang", choices=("vi", "en"), default="vi")
    parser.add_argument("--postgresql", action="store_true",
                        help="a throw-away PostgreSQL on 127.0.0.1 instead of SQLite")
    parser.add_argument("--profile", help="a path among the pages: print its cProfile")
    args = parser.parse_args()
    install_counters()

    from sqlalchemy import event

    from app import create_app
    from app.extensions import db

    backend = "postgresql" if args.postgresql else "sqlite"
    with workdir() as tmp, database(None, backend, tmp) as url:
        demo = seed_database(url, tmp / "uploads")
        app = create_app({"SETTINGS": {"database_url": url, "upload_dir": str(tmp / "uploads"),
                                       "page_cache_seconds": 0},
                          "RATELIMIT_ENABLED": False})
        pages = {"/healthz (floor)": "/healthz",
                 "village page": f"/v/{demo.village}",
                 "procedure page": f"/procedures/{demo.procedure}?village={demo.village}",
                 "search": SEARCH}
        if args.lang == "en":  # the language is in the URL (app/core/i18n.py)
            pages = {label: path if path == "/healthz" else
                     path + ("&" if "?" in path else "?") + "lang=en"
                     for label, path in pages.items()}
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute",
                         lambda *_a, **_k: COUNTS.__setitem__("sql", COUNTS["sql"] + 1))
        client = app.test_client()
        print(f"{args.requests} requests per page after a warm-up, page cache off, "
              f"language {args.lang}, {backend}, Flask test client.")
        print(f"{'page':<18} {'mean ms':>8} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms':>8} "
              f"{'url_for':>8} {'gettext':>8} {'queries':>8}  path")
        for label, path in pages.items():
            r = measure(client, path, args.requests)
            print(f"{label:<18} {r['mean']:>8.2f} {r['p50']:>8.2f} {r['p95']:>8.2f} "
                  f"{r['cpu']:>8.2f} {r['url_for']:>8.0f} {r['gettext']:>8.0f} "
                  f"{r['sql']:>8.0f}  {path}")
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(200):
                client.get(args.profile)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
