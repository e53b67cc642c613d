"""Issue 19, drill 9 in small: 20 s of a province's peak hour at a fifth of its rates through
nginx on the whole cluster (tests/peak.py, the code bench/peak_hour.py runs for 5 minutes).
It checks what a citizen, an officer and the commune's accountant would notice: no request
failed, and nothing was lost or doubled. Never rates or latencies: the cluster shares the
machine's cores with everything else."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import peak
from tests.cluster import cluster
from tests.conftest import need
from tests.push_service import PushService

SECONDS = 20
SCALE = 0.2  # 30 reads/s, 0.6 submissions/s, 0.4 officer moves/s, 0.4 bank notices/s


def test_a_short_peak_hour_fails_no_request_and_loses_nothing(
        backend: str, push_service: PushService, tmp_path: Path) -> None:
    if backend != "postgresql":
        pytest.skip("the cluster runs on PostgreSQL (primary and replica): PostgreSQL pass only")
    if missing := peak.missing_tools():
        need("; ".join(missing))
    with cluster(PAYMENT_WEBHOOK_SECRET=peak.WEBHOOK_SECRET) as c:
        outcome = peak.run(c, push_service, SECONDS, peak.FULL.scaled(SCALE), tmp_path,
                           peak.scaled_users(SCALE))
    print(outcome.table())
    assert outcome.failures == []
    # At these rates 20 s gives about 12 submissions, 8 moves and 8 notices: some of each.
    assert all(len(outcome.done[kind]) >= 3 for kind in ("submitted", "moved", "paid")), \
        outcome.done
    assert outcome.problems == [], outcome.table()
