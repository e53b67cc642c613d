"""Public statistics at 1,000,000 dossiers over 50 communes on PostgreSQL: the commune and
province pages and JSON, p50/p95 server time through Flask's test client; the hall display's
bytes per refresh.

    .venv/bin/python bench/stats.py [--dossiers 1000000] [--communes 50] [--requests 200]

How the goal (p95 ≤ 200 ms) is met: the pages read the stats_daily rollup (one row per
commune, day and procedure field, kept by the workflow in each move's transaction), never
the dossiers, except "overdue now", a count of the running dossiers on the
(agency_id, status, due_date) index. The generator COPYs dossiers past the workflow, so the
rollup is rebuilt once (`flask stats rebuild`), which is timed too. Exits 1 on a missed goal.
"""

from __future__ import annotations

import gzip
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from sqlalchemy import func, select, text  # noqa: E402

from bench.common import percentile  # noqa: E402
from bench.generate_dossiers import exit_if_missed, generated_app, size_arguments  # noqa: E402

GOAL_MS = 200.0


def main() -> None:
    args = size_arguments(__doc__.splitlines()[0], 1_000_000)

    from app.extensions import db
    from app.feedback import rollup
    from app.feedback.models import StatsDaily

    with generated_app(args.dossiers, args.communes) as (app, _agencies):
        with app.app_context():
            started = time.perf_counter()
            rows = rollup.rebuild(db.session())
            db.session.commit()
            print(f"rollup rebuilt: {rows:,} stats_daily rows in "
                  f"{time.perf_counter() - started:.1f} s")
            db.session.execute(text("ANALYZE stats_daily"))
            db.session.commit()
            received = db.session.scalar(select(func.sum(StatsDaily.received)))
            assert received == args.dossiers - args.dossiers % args.communes, received

        rnd = random.Random(7)
        communes = [f"bench{n:02d}" for n in rnd.sample(range(1, args.communes + 1), 5)]
        kinds = {
            "commune page": [f"/stats/{s}" for s in communes],
            "commune JSON": [f"/api/v1/stats/{s}" for s in communes],
            "province page": ["/stats/bench-tinh"],
            "province JSON": ["/api/v1/stats/bench-tinh"],
            "display JSON": [f"/display/{s}/live.json" for s in communes],
        }
        client = app.test_client()
        for urls in kinds.values():  # warm plans and caches
            for u in urls:
                assert client.get(u).status_code == 200, u
        timings: dict[str, list[float]] = {}
        for kind, urls in kinds.items():
            values = timings.setdefault(kind, [])
            for _ in range(args.requests):
                t0 = time.perf_counter()
                response = client.get(rnd.choice(urls))
                values.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200

        failed = []
        print(f"\nserver time per request (Flask test client, {args.requests} each), ms")
        print(f"{'page':<14} {'p50':>7} {'p95':>7} {'max':>7}   goal p95")
        for kind, values in timings.items():
            p50, p95 = percentile(values, 0.5), percentile(values, 0.95)
            ok = p95 <= GOAL_MS
            print(f"{kind:<14} {p50:7.1f} {p95:7.1f} {max(values):7.1f}   ≤ {GOAL_MS:.0f} "
                  f"{'ok' if ok else 'MISSED'}")
            if not ok:
                failed.append(f"{kind} p95 {p95:.1f} ms")

        slug = communes[0]
        page = client.get(f"/display/{slug}")
        live = client.get(f"/display/{slug}/live.json")
        same = client.get(f"/display/{slug}/live.json",
                          headers={"If-None-Match": live.headers["ETag"]})
        head = sum(len(k) + len(v) + 4 for k, v in live.headers.items())
        head_304 = sum(len(k) + len(v) + 4 for k, v in same.headers.items())
        print("\nhall display, bytes per refresh (body; + response headers)")
        print(f"  page once:           {len(page.data):,} B ({len(gzip.compress(page.data)):,} B "
              f"gzip)")
        print(f"  live.json changed:   {len(live.data):,} B ({len(gzip.compress(live.data)):,} "
              f"B gzip) + {head} B headers, {len(live.get_json()['ready'])} ready codes")
        print(f"  live.json unchanged: 304, {len(same.data)} B + {head_304} B headers")
    exit_if_missed(failed)


if __name__ == "__main__":
    main()
