"""Bank notices per second through POST /api/v1/payments/webhook on PostgreSQL, gunicorn
(2 workers × 4 threads) and concurrent senders; prints throughput and p50/p95 latency.

    .venv/bin/python bench/webhook.py [--notices 2000] [--senders 8]

A third of the notices pay a dossier exactly, a third pay part of one (mangled reference),
a third match nothing (the officers' queue); 5 % are replays of an earlier id.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import gunicorn, percentile, postgres, workdir  # noqa: E402

SECRET = "bench-webhook-secret"  # noqa: S105 (a throw-away bench key)
ACCOUNT = "9999000000126"


def seed(database_url: str, upload_dir: Path, dossiers: int) -> list[str]:
    """Schema, one commune with an account, `dossiers` received dossiers with a fee."""
    from app import create_app
    from app.dossiers.workflow import Actor, apply
    from app.extensions import db
    from app.payments.models import Payment
    from tests import factories as f

    app = create_app({"SETTINGS": {"database_url": database_url,
                                   "upload_dir": str(upload_dir)}})
    with app.app_context():
        db.create_all()
        home = f.agency("tanhong", "Xã Tản Hồng", "000.31.12.H26")
        home.bank_bin, home.bank_account = "970405", ACCOUNT
        proc = f.procedure([home], code="2.000815", days=0)
        proc.fees = [{"label": "Phí", "kind": "fixed", "amount": 10000}]
        desk = f.officer(home, "receiving")
        refs = []
        for _ in range(dossiers):
            dossier = f.dossier(home, proc, "submitted")
            apply(dossier, "receive", Actor.for_officer(desk))
        db.session.commit()
        refs = [p.reference for p in db.session.scalars(db.select(Payment))]
        db.engine.dispose()
    return refs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--notices", type=int, default=2000)
    parser.add_argument("--senders", type=int, default=8)
    args = parser.parse_args()
    from app.payments.webhook import sign

    with postgres() as url, workdir() as folder:
        refs = seed(url, folder / "uploads", args.notices // 3 + 1)
        rnd = random.Random(7)
        bodies: list[bytes] = []
        for i in range(args.notices):
            kind = i % 3
            if kind == 0:
                content, amount = refs[i // 3 % len(refs)], 10000
            elif kind == 1:
                ref = refs[(i // 3 + len(refs) // 2) % len(refs)]
                content, amount = f"mc {ref[2:8]} {ref[8:]} chuyen tien", 4000
            else:
                content, amount = "chuyen tien le phi", 10000
            ident = f"tx{rnd.randrange(i)}" if i > 20 and rnd.random() < 0.05 else f"tx{i}"
            bodies.append(json.dumps({"id": ident, "amount": amount, "content": content,
                                      "account_number": ACCOUNT}).encode())
        env = {"DATABASE_URL": url, "UPLOAD_DIR": str(folder / "uploads"),
               "PAYMENT_WEBHOOK_SECRET": SECRET}
        with gunicorn(env, workers=2, threads=4) as server:
            latencies: list[float] = []
            lock = threading.Lock()
            queue = list(enumerate(bodies))

            def sender() -> None:
                while True:
                    with lock:
                        if not queue:
                            return
                        _i, body = queue.pop()
                    request = urllib.request.Request(
                        f"{server.url}/api/v1/payments/webhook", data=body, method="POST",
                        headers={"Content-Type": "application/json",
                                 "X-Motcua-Signature": sign(SECRET, body)})
                    start = time.perf_counter()
                    with urllib.request.urlopen(request, timeout=60) as response:
                        response.read()
                    elapsed = time.perf_counter() - start
                    with lock:
                        latencies.append(elapsed)

            threads = [threading.Thread(target=sender) for _ in range(args.senders)]
            began = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - began
    print(f"webhook on PostgreSQL, gunicorn 2x4, {args.senders} senders, "
          f"{len(latencies)} notices: {len(latencies) / wall:.0f} notices/s, "
          f"p50 {percentile(latencies, 0.5) * 1000:.1f} ms, "
          f"p95 {percentile(latencies, 0.95) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
