"""gunicorn settings for Motcua: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

Run behind a reverse proxy (nginx) that terminates HTTPS and buffers uploads, so a slow 3G
phone never holds a worker thread while its photos trickle in. Figures behind the defaults
are in bench/README.md (memory per worker, requests per second).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Threads, not processes, carry the concurrency: each worker process costs its own memory
# (~100 MB with the app loaded), a thread almost none, and requests mostly wait on the database.
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 60
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (jittered so they do not all restart
# together): whatever memory one slowly gathers is given back.
max_requests = 2000
max_requests_jitter = 200
# Only the local proxy may say which scheme the citizen used (X-Forwarded-Proto).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# No access log here: the reverse proxy keeps one, and a URL's query string can carry a
# tracking secret (`?t=`). Responses by status are counted at /metrics.
accesslog = None
errorlog = "-"

# prometheus-client's multiprocess mode (app/core/metrics.py): each worker writes its
# counters into files here and a scrape, answered by any worker, adds them up. It must be
# in the environment before a worker imports the app, so it is set here, in the master.
METRICS_DIR = Path(os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR",
                                         "/run/motcua/metrics"))


def on_starting(server: Any) -> None:
    # Files left by a previous run would add its counts (and dead workers) to this one's.
    shutil.rmtree(METRICS_DIR, ignore_errors=True)
    METRICS_DIR.mkdir(parents=True, exist_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
