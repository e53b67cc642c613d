"""Benchmark (issue 19, drill 9): a province's peak hour on the whole cluster, loopback only.

    .venv/bin/python bench/peak_hour.py                    # 5 minutes at the full rates
    .venv/bin/python bench/peak_hour.py --seconds 60 --scale 0.5

Starts tests/cluster.py (PostgreSQL primary + replica, Redis, SeaweedFS, two app servers,
two push workers, nginx), prepares dossiers to receive and payments to notify, each followed
by a phone at the local push service, then runs Locust (bench/locust/peak_users.py) in its
own process through nginx: 150 public page reads/s, 3 submissions/s with two photos, 2
officer moves/s and 2 bank notices/s (× --scale), constant-throughput waits so the rates are
targets. Prints per request its count, errors, rate, p50 and p95, then what was checked in
the database, the bucket and at the phones; exits 1 on any error or difference. Everything
it started is stopped.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import workdir  # noqa: E402
from tests import peak  # noqa: E402
from tests.cluster import cluster  # noqa: E402
from tests.push_service import PushService  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiplies every target rate (0.2 on a busy machine)")
    args = parser.parse_args()
    if missing := peak.missing_tools():
        print("cannot run the peak hour: " + "; ".join(missing))
        return 1
    rates = peak.FULL.scaled(args.scale)
    users = peak.scaled_users(args.scale)
    service = PushService().start()
    try:
        with workdir() as folder, cluster(PAYMENT_WEBHOOK_SECRET=peak.WEBHOOK_SECRET) as c:
            outcome = peak.run(c, service, args.seconds, rates, folder, users)
    finally:
        service.stop()
    print(outcome.table())
    return 1 if outcome.problems else 0


if __name__ == "__main__":
    sys.exit(main())
