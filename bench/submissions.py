"""Benchmark: online submissions per second, each with three ~400 KB phone photos, through the
JSON API (POST /api/v1/dossiers) under gunicorn (2 workers, gthread) with concurrent clients.

    .venv/bin/python bench/submissions.py                  # SQLite, then a throw-away PostgreSQL
    .venv/bin/python bench/submissions.py --backend sqlite --clients 8 --requests 200
    .venv/bin/python bench/submissions.py --database-url postgresql://user@host/emptydb

Prints req/s and the p50/p95 latency per backend. Every submission must answer 201.
"""

from __future__ import annotations

import argparse
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import common
import requests


def photos(count: int = 3) -> list[bytes]:
    """Three different photos of papers, ~400 KB each, as the phone sends them (1600 px)."""
    return [common.document_photo(1600, 1200, noise=5, quality=90, seed=i) for i in range(count)]


def run(backend: str, given_url: str | None, clients: int, total: int, threads: int) -> None:
    with common.workdir() as folder, common.database(given_url, backend, folder) as url:
        uploads = folder / "uploads"
        demo = common.seed_database(url, uploads)
        pictures = photos()
        # Two photos for the first paper, one for the second (1.004884 asks for two).
        files = [(demo.requirements[0], "to-khai-1.jpg", pictures[0], "image/jpeg"),
                 (demo.requirements[0], "to-khai-2.jpg", pictures[1], "image/jpeg"),
                 (demo.requirements[-1], "can-cuoc.jpg", pictures[2], "image/jpeg")]
        parts = common.api_submission(demo, files)
        body_kb = sum(len(p[1][1]) for p in parts) / 1024
        env = {"DATABASE_URL": url, "UPLOAD_DIR": str(uploads)}
        with common.gunicorn(env, workers=2, threads=threads) as server:
            endpoint = f"{server.url}/api/v1/dossiers"
            local = threading.local()

            def submit(_: int) -> float:
                session = getattr(local, "session", None)
                if session is None:
                    session = local.session = requests.Session()
                started = time.perf_counter()
                resp = session.post(endpoint, files=parts,
                                    headers={"Idempotency-Key": str(uuid.uuid4())}, timeout=120)
                elapsed = time.perf_counter() - started
                if resp.status_code != 201:
                    raise RuntimeError(f"{resp.status_code}: {resp.text[:300]}")
                return elapsed

            with ThreadPoolExecutor(clients) as pool:
                list(pool.map(submit, range(clients)))  # warm-up: imports, connections
                started = time.perf_counter()
                latencies = list(pool.map(submit, range(total)))
                wall = time.perf_counter() - started
        stored = sum(1 for p in (uploads / "files").rglob("*") if p.is_file())
    print(f"{backend:10s} {total} submissions ({body_kb:.0f} KB each, 3 photos), "
          f"{clients} clients, gunicorn 2 workers × {threads} threads: "
          f"{total / wall:6.1f} req/s   p50 {common.percentile(latencies, .5) * 1000:5.0f} ms"
          f"   p95 {common.percentile(latencies, .95) * 1000:5.0f} ms   "
          f"({stored} files stored)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--database-url", help="an EMPTY PostgreSQL database to use (emptied "
                        "again afterwards) instead of starting one")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=120)
    parser.add_argument("--threads", type=int, default=4, help="gthread threads per worker")
    args = parser.parse_args()
    if args.database_url:
        run("postgresql", args.database_url, args.clients, args.requests, args.threads)
        return
    for backend in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
        run(backend, None, args.clients, args.requests, args.threads)


if __name__ == "__main__":
    main()
