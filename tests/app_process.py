"""Separate processes of the app for the tests: gunicorn serving `wsgi:app`, and the push
worker CLI, each with its own environment, stopped by their own pid afterwards."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.pg_server import free_port, stop_process

REPO = Path(__file__).resolve().parent.parent


def app_env(database_url: str, tmp: Path, **extra: str) -> dict[str, str]:
    """What every process of one deployment shares: the database, the secret, the files."""
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "two-processes-secret",
           "UPLOAD_DIR": str(tmp / "uploads"), "MOTCUA_ENV": "development",
           "PUBLIC_BASE_URL": "http://127.0.0.1:5000", "PAGE_CACHE_SECONDS": "0", **extra}
    env.pop("MOTCUA_PUSH_WORKER", None)
    return env


def wait_until_serving(process: subprocess.Popen[Any], url: str, timeout: float = 60) -> None:
    """Until GET /healthz answers; RuntimeError if the process ends or the time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not start serving") from None
            time.sleep(0.1)


@contextlib.contextmanager
def web_processes(env: dict[str, str] | list[dict[str, str]], count: int = 2
                  ) -> Iterator[list[str]]:
    """`count` gunicorn processes (one sync worker each) serving the app, started together;
    yields their base URLs. A list of environments gives each process its own (as two
    hosts with their own disks)."""
    envs = env if isinstance(env, list) else [env] * count
    started: list[tuple[subprocess.Popen[Any], str]] = []
    try:
        for env in envs:
            started.append(gunicorn(env))
        for process, url in started:
            wait_until_serving(process, url)
        yield [url for _process, url in started]
    finally:
        for process, _url in started:
            process.terminate()
        for process, _url in started:
            stop_process(process)


def gunicorn(env: dict[str, str]) -> tuple[subprocess.Popen[Any], str]:
    """One gunicorn (one sync worker) serving the app on a free port, not yet waited for:
    the process and its base URL. The caller stops it."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--chdir", str(REPO), "--bind",
         f"127.0.0.1:{port}", "--workers", "1", "--log-level", "warning", "wsgi:app"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return process, f"http://127.0.0.1:{port}"


def worker_process(env: dict[str, str], *args: str) -> subprocess.Popen[Any]:
    """`flask --app wsgi worker ARGS` in its own process; its stderr is a pipe of lines."""
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker", *args],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
