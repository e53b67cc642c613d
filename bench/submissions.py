"""Benchmark: online submissions per second, each with three ~400 KB phone photos, through the
JSON API (POST /api/v1/dossiers) under gunicorn (2 workers, gthread) with concurrent clients.

    .venv/bin/python bench/submissions.py                  # SQLite, then a throw-away PostgreSQL
    .venv/bin/python bench/submissions.py --backend sqlite --clients 8 --requests 200
    .venv/bin/python bench/submissions.py --database-url postgresql://user@host/emptydb
    .venv/bin/python bench/submissions.py --store both   # local disk, then S3 on SeaweedFS

Prints req/s and the p50/p95 latency per backend and file store. Every submission must
answer 201. `--store s3` starts a throw-away SeaweedFS (tests/s3_server.py) and keeps the
files there with AES256 server-side encryption, as a production bucket would.
"""

from __future__ import annotations

import argparse
import contextlib
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import common
import requests

from tests import s3_server


def photos(count: int = 3) -> list[bytes]:
    """Three different photos of papers, ~400 KB each, as the phone sends them (1600 px)."""
    return [common.document_photo(1600, 1200, noise=5, quality=90, seed=i) for i in range(count)]


@contextlib.contextmanager
def file_store(kind: str) -> Iterator[tuple[dict[str, str], Callable[[], int]]]:
    """The environment that puts the app's files on `kind`, and a counter of stored files."""
    if kind == "local":
        yield {}, lambda: -1
        return
    server = s3_server.start()
    try:
        server.create_bucket("bench")
        client = server.client()

        def count() -> int:
            pages = client.get_paginator("list_objects_v2").paginate(Bucket="bench")
            return sum(len(page.get("Contents", ())) for page in pages)

        yield server.env("bench", "files", sse="AES256"), count
    finally:
        server.stop()


def run(backend: str, given_url: str | None, clients: int, total: int, threads: int,
        store: str = "local") -> None:
    with common.workdir() as folder, common.database(given_url, backend, folder) as url, \
            file_store(store) as (store_env, count_stored):
        uploads = folder / "uploads"
        # The seed writes no file; the app's processes read the store from the environment.
        demo = common.seed_database(url, uploads)
        pictures = photos()
        # Two photos for the first paper, one for the second (1.004884 asks for two).
        files = [(demo.requirements[0], "to-khai-1.jpg", pictures[0], "image/jpeg"),
                 (demo.requirements[0], "to-khai-2.jpg", pictures[1], "image/jpeg"),
                 (demo.requirements[-1], "can-cuoc.jpg", pictures[2], "image/jpeg")]
        parts = common.api_submission(demo, files)
        body_kb = sum(len(p[1][1]) for p in parts) / 1024
        # One bench client sends what a whole district would, all from one phone number.
        env = {"DATABASE_URL": url, "UPLOAD_DIR": str(uploads), "MAX_PHONE_MB_PER_DAY": "100000",
               **store_env}
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
        stored = count_stored() if store == "s3" else sum(
            1 for p in (uploads / "files").rglob("*") if p.is_file())
    print(f"{backend:10s} {store:5s} {total} submissions ({body_kb:.0f} KB each, 3 photos), "
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
    parser.add_argument("--store", choices=("local", "s3", "both"), default="local",
                        help="where the files go: local disk, S3 on a SeaweedFS started here")
    args = parser.parse_args()
    stores = ("local", "s3") if args.store == "both" else (args.store,)
    if args.database_url:
        for store in stores:
            run("postgresql", args.database_url, args.clients, args.requests, args.threads,
                store)
        return
    for backend in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
        for store in stores:
            run(backend, None, args.clients, args.requests, args.threads, store)


if __name__ == "__main__":
    main()
