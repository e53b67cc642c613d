"""Benchmark: the server's memory while it receives one 20 MB upload. The request body must be
streamed to disk, so the worker's resident memory may rise by at most 30 MB over idle.

    .venv/bin/python bench/upload_memory.py [--mb 20] [--database-url postgresql://…/emptydb]

Runs gunicorn with one worker, samples the worker's VmRSS (/proc/<pid>/status) every 5 ms
while one valid ~20 MB PDF goes through POST /api/v1/dossiers, and prints the peak rise.
"""

from __future__ import annotations

import argparse
import threading
import time
import uuid
from pathlib import Path

import common
import requests

GOAL_MB = 30


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def submit(url: str, parts: list, timeout: float = 300) -> requests.Response:
    resp = requests.post(f"{url}/api/v1/dossiers", files=parts, timeout=timeout,
                         headers={"Idempotency-Key": str(uuid.uuid4())})
    if resp.status_code != 201:
        raise RuntimeError(f"{resp.status_code}: {resp.text[:400]}")
    return resp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=20, help="size of the uploaded PDF")
    parser.add_argument("--database-url", help="an EMPTY database to use instead of SQLite")
    args = parser.parse_args()

    pdf = common.incompressible_pdf(int(args.mb * 1024 * 1024))
    small = common.document_photo(1600, 1200, noise=5, quality=90)
    with common.workdir() as folder, \
            common.database(args.database_url, "sqlite", folder) as url:
        uploads = folder / "uploads"
        demo = common.seed_database(url, uploads)
        env = {"DATABASE_URL": url, "UPLOAD_DIR": str(uploads),
               "MAX_UPLOAD_MB": "25", "MAX_DOSSIER_MB": "30"}
        first, last = demo.requirements[0], demo.requirements[-1]
        warm = common.api_submission(demo, [(first, "a.jpg", small, "image/jpeg"),
                                            (last, "b.jpg", small, "image/jpeg")])
        big = common.api_submission(demo, [(first, "ho-so.pdf", pdf, "application/pdf"),
                                           (last, "can-cuoc.jpg", small, "image/jpeg")])
        with common.gunicorn(env, workers=1, threads=1, worker_class="sync") as server:
            [worker] = server.worker_pids()
            cold = rss_kb(worker)
            submit(server.url, warm)  # loads Pillow, pypdf, the templates: part of "idle"
            time.sleep(0.5)
            idle = rss_kb(worker)
            samples: list[int] = []
            done = threading.Event()

            def sample() -> None:
                while not done.is_set():
                    samples.append(rss_kb(worker))
                    time.sleep(0.005)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            started = time.perf_counter()
            try:
                submit(server.url, big)
            finally:
                done.set()
                sampler.join()
            elapsed = time.perf_counter() - started
    peak = max(samples)
    rise_mb = (peak - idle) / 1024
    print(f"upload: one {len(pdf) / 1024 / 1024:.1f} MB PDF (+ one {len(small) // 1024} KB "
          f"photo) in {elapsed:.2f} s, {len(samples)} samples")
    print(f"worker RSS: {cold / 1024:.1f} MB at start, {idle / 1024:.1f} MB idle after a "
          f"warm-up submission, peak {peak / 1024:.1f} MB")
    print(f"peak rise over idle: {rise_mb:.1f} MB (goal ≤ {GOAL_MB} MB: "
          f"{'met' if rise_mb <= GOAL_MB else 'NOT met'})")


if __name__ == "__main__":
    main()
