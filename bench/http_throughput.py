"""Requests per second under gunicorn (2 gthread workers) for the village page and a search,
beside a bare hello-world Flask app served the same way in the same run; then the peak memory
of each worker. Prints figures (goals: village page >= 40 % of hello world, <= 150 MB/worker).

The client is Python threads on keep-alive http.client connections, so it needs nothing extra.
It shares the machine's cores with the server, which holds hello world back more than the app
(the client's cost per request is the same, the server's is not), so the ratio errs in the
app's favour; wrk on another machine gives the stricter figure.
"""

from __future__ import annotations

import argparse
import http.client
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# Not bench/http.py: Python puts a script's folder first on sys.path, so a file named http.py
# there would replace the standard library's http package for every bench (urllib included).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Gunicorn, gunicorn, seed_database, workdir  # noqa: E402

WORKERS = 2
THREADS = 4
SEARCH = "/procedures?q=dang+ky+khai+sinh"
RATIO_GOAL = 0.40
MEMORY_GOAL_MB = 150


def hello_app() -> Any:
    """The baseline: the smallest Flask app, under the same gunicorn settings."""
    from flask import Flask

    app = Flask("hello")

    @app.get("/")
    @app.get("/healthz")
    def hello() -> str:
        return "Hello, World!"

    return app


def drive(base_url: str, path: str, total: int, clients: int) -> float:
    """GET `path` `total` times over `clients` keep-alive connections; requests per second."""
    parts = urlsplit(base_url)
    per_client = total // clients
    failures: list[str] = []
    start = threading.Barrier(clients + 1)

    def client() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        start.wait()
        for _ in range(per_client):
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                failures.append(f"{path}: {response.status}")
            if response.will_close:
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if failures:
        raise SystemExit(f"{len(failures)} failed requests, first: {failures[0]}")
    return per_client * clients / elapsed


def peak_rss_mb(server: Gunicorn) -> list[float]:
    """VmHWM (the peak resident set) of each worker, in MB."""
    peaks = []
    for pid in server.worker_pids():
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return peaks


def measure(server: Gunicorn, paths: dict[str, str], total: int, clients: int
            ) -> dict[str, float]:
    results = {}
    for label, path in paths.items():
        drive(server.url, path, max(clients * 10, total // 10), clients)  # warm up
        results[label] = drive(server.url, path, total, clients)
        print(f"  {label:<48} {results[label]:>8.0f} req/s")
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000, help="per measured path")
    parser.add_argument("--clients", type=int, default=16, help="concurrent connections")
    args = parser.parse_args()
    print(f"gunicorn: {WORKERS} workers x {THREADS} threads (gthread); {args.clients} "
          f"keep-alive clients, {args.requests} requests per path, after a warm-up.")
    with workdir() as tmp:
        url = f"sqlite:///{tmp / 'bench.db'}"
        demo = seed_database(url, tmp / "uploads")
        env = {"DATABASE_URL": url, "UPLOAD_DIR": str(tmp / "uploads")}
        with gunicorn(env, workers=WORKERS, threads=THREADS,
                      app="bench.http_throughput:hello_app()") as server:
            hello = measure(server, {"hello world": "/"}, args.requests, args.clients)
        with gunicorn(env, workers=WORKERS, threads=THREADS) as server:
            motcua = measure(server, {f"village page /v/{demo.village}": f"/v/{demo.village}",
                                      f"search {SEARCH}": SEARCH},
                             args.requests, args.clients)
            peaks = peak_rss_mb(server)
        # The same page rendered on every request: what the page cache saves.
        with gunicorn({**env, "PAGE_CACHE_SECONDS": "0"}, workers=WORKERS,
                      threads=THREADS) as server:
            uncached = measure(server, {"village page, page cache off": f"/v/{demo.village}"},
                               args.requests, args.clients)
    base = hello["hello world"]
    for label, rate in {**motcua, **uncached}.items():
        ratio = rate / base
        verdict = "goal met" if ratio >= RATIO_GOAL else "BELOW GOAL"
        judged = label.startswith("village page /")
        goal = f" (goal >= {RATIO_GOAL:.0%}: {verdict})" if judged else ""
        print(f"  {label:<48} {ratio:>8.0%} of hello world{goal}")
    for i, peak in enumerate(peaks, 1):
        verdict = "goal met" if peak <= MEMORY_GOAL_MB else "ABOVE GOAL"
        print(f"  {f'worker {i} peak RSS (VmHWM)':<48} {peak:>6.1f} MB (goal <= "
              f"{MEMORY_GOAL_MB} MB: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
