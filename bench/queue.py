"""Queue numbers on PostgreSQL: "call next" latency with 10 counters calling at once, the
delay from a call to the hall screen's poll seeing it, bytes per screen refresh, and a day of
500 numbers in each of 100 communes.

    .venv/bin/python bench/queue.py [--communes 100] [--tickets 500] [--calls 300]
"""

from __future__ import annotations

import sys
from pathlib import Path

# This script's folder comes first on sys.path, and its name would then stand for the
# standard library's `queue` module, which psycopg needs: the repository goes there instead.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse  # noqa: E402
import random  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import urllib.error  # noqa: E402
import urllib.request  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from typing import Any  # noqa: E402

from bench.common import gunicorn, percentile, postgres, workdir  # noqa: E402

COUNTERS = 10
POLL_S = 1.5  # what js/queue-calls.js waits between polls
# A Monday 9:00 in Hà Nội: every commune is open, so numbers are for today.
MORNING = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


def _app(url: str, folder: Path) -> Any:
    from app import create_app

    return create_app({"SETTINGS": {"database_url": url, "upload_dir": str(folder)},
                       "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": COUNTERS + 2}})


def seed(app: Any, communes: int, tickets: int) -> tuple[list[int], list[int]]:
    """`communes` communes with one line each and `tickets` numbers taken in it; the first
    commune has COUNTERS counters. Returns the line ids and that commune's counter ids."""
    from app.core.transaction import commit
    from app.core.workdays import WorkingCalendar
    from app.extensions import db
    from app.feedback.models import Counter
    from app.queues.models import ServiceQueue
    from app.queues.services import take_ticket
    from tests import factories as f

    calendar = WorkingCalendar({})
    with app.app_context():
        db.create_all()
        queue_ids: list[int] = []
        began = time.perf_counter()
        for n in range(communes):
            home = f.agency(f"xa-{n}", f"Xã {n}", f"000.{n:02d}.00.H26")
            queue = ServiceQueue(agency_id=home.id, prefix="A", name="Hộ tịch")
            db.session.add(queue)
            db.session.flush()
            for _ in range(tickets):
                take_ticket(queue, calendar, now=MORNING)
            queue_ids.append(queue.id)
            if n == 0:
                db.session.add_all(Counter(agency_id=home.id, name=f"Quầy {c + 1}")
                                   for c in range(COUNTERS))
            commit()
        took = time.perf_counter() - began
        counter_ids = list(db.session.scalars(db.select(Counter.id).order_by(Counter.id)))
    total = communes * tickets
    print(f"a day of {tickets} numbers in each of {communes} communes: {total} taken in "
          f"{took:.1f} s ({total / took:.0f} numbers/s, one process)")
    return queue_ids, counter_ids


def call_next_latency(app: Any, queue_id: int, counter_ids: list[int], calls: int) -> None:
    from app.core.transaction import commit
    from app.extensions import db
    from app.feedback.models import Counter
    from app.queues.models import ServiceQueue
    from app.queues.services import call_next

    latencies: list[float] = []
    lock = threading.Lock()
    remaining = [calls]
    gate = threading.Barrier(len(counter_ids))

    def counter_desk(counter_id: int) -> None:
        with app.app_context():
            gate.wait()
            while True:
                with lock:
                    if remaining[0] <= 0:
                        return
                    remaining[0] -= 1
                start = time.perf_counter()
                queue = db.session.get(ServiceQueue, queue_id)
                counter = db.session.get(Counter, counter_id)
                call_next(queue, counter, now=MORNING)
                commit()
                elapsed = time.perf_counter() - start
                with lock:
                    latencies.append(elapsed)

    threads = [threading.Thread(target=counter_desk, args=(c,)) for c in counter_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"call next, {len(counter_ids)} counters at once, {len(latencies)} calls: "
          f"p50 {percentile(latencies, 0.5) * 1000:.1f} ms, "
          f"p95 {percentile(latencies, 0.95) * 1000:.1f} ms")


def reads_at_size(app: Any, queue_id: int) -> None:
    """The ticket page's figures for the last number of a full line, and the hall board."""
    from app.extensions import db
    from app.queues import queries
    from app.queues.models import Ticket

    with app.app_context():
        last = db.session.scalar(db.select(Ticket).where(Ticket.queue_id == queue_id)
                                 .order_by(Ticket.number.desc()).limit(1))
        timings = []
        for _ in range(50):
            start = time.perf_counter()
            queries.ticket_status(last)
            timings.append(time.perf_counter() - start)
        board = []
        for _ in range(50):
            start = time.perf_counter()
            queries.hall_board(last.agency_id, last.day)
            board.append(time.perf_counter() - start)
    print(f"ticket page figures, last of a full line: p95 "
          f"{percentile(timings, 0.95) * 1000:.1f} ms; hall board p95 "
          f"{percentile(board, 0.95) * 1000:.1f} ms")


def _poll(url: str, etag: str | None) -> tuple[int, int, str | None]:
    """One screen refresh: status, bytes on the wire (status line, headers, body), ETag."""
    request = urllib.request.Request(url, headers={"If-None-Match": etag} if etag else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
            head = sum(len(k) + len(v) + 4 for k, v in response.headers.items())
            return response.status, head + len(body) + 17, response.headers.get("ETag")
    except urllib.error.HTTPError as answer:
        head = sum(len(k) + len(v) + 4 for k, v in answer.headers.items())
        return answer.code, head + 17, etag


def screen_delay(app: Any, url: str, folder: Path, queue_id: int,
                 counter_ids: list[int], rounds: int) -> None:
    """A screen polling every POLL_S; a call at a random moment between polls; the time
    until a poll returns the change."""
    from app.core.transaction import commit
    from app.core.vntime import vietnam_day
    from app.core.workdays import WorkingCalendar
    from app.extensions import db
    from app.feedback.models import Counter
    from app.queues.models import ServiceQueue
    from app.queues.services import call_next, take_ticket

    # The screen shows today's calls: numbers for today, whatever day the bench runs on.
    today = vietnam_day(datetime.now(UTC))
    with app.app_context():
        queue = db.session.get(ServiceQueue, queue_id)
        for _ in range(rounds):
            take_ticket(queue, WorkingCalendar({today: True}))
        commit()
    env = {"DATABASE_URL": url, "UPLOAD_DIR": str(folder)}
    with gunicorn(env, workers=2, threads=4) as server:
        board = f"{server.url}/display/xa-0/calls.json"
        status, changed_bytes, etag = _poll(board, None)
        status, same_bytes, etag = _poll(board, etag)
        print(f"screen refresh: {changed_bytes} bytes with a change (200), {same_bytes} "
              f"without ({status})")
        # The screen polls on its own clock, as js/queue-calls.js does; each call lands at
        # a random moment of the screen's cycle.
        seen: list[float] = []
        stop = threading.Event()

        def screen() -> None:
            tag = etag
            while not stop.is_set():
                status, _size, new = _poll(board, tag)
                if status == 200 and new != tag:
                    tag = new
                    seen.append(time.perf_counter())
                stop.wait(POLL_S)

        poller = threading.Thread(target=screen)
        poller.start()
        delays = []
        rnd = random.Random(5)
        try:
            for n in range(rounds):
                time.sleep(rnd.uniform(0.5, POLL_S * 1.5))
                before = len(seen)
                with app.app_context():
                    call_next(db.session.get(ServiceQueue, queue_id),
                              db.session.get(Counter, counter_ids[n % len(counter_ids)]))
                    commit()
                called = time.perf_counter()
                deadline = called + 30
                while len(seen) == before:
                    if time.perf_counter() > deadline:
                        raise RuntimeError("the screen never showed the call")
                    time.sleep(0.01)
                delays.append(seen[before] - called)
        finally:
            stop.set()
            poller.join()
    print(f"call → screen ({rounds} calls, polls every {POLL_S} s): "
          f"p50 {percentile(delays, 0.5):.2f} s, p95 {percentile(delays, 0.95):.2f} s, "
          f"max {max(delays):.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--communes", type=int, default=100)
    parser.add_argument("--tickets", type=int, default=500)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    with postgres() as url, workdir() as folder:
        app = _app(url, folder)
        queue_ids, counter_ids = seed(app, args.communes, args.tickets)
        reads_at_size(app, queue_ids[0])
        call_next_latency(app, queue_ids[0], counter_ids, min(args.calls, args.tickets))
        screen_delay(app, url, folder, queue_ids[0], counter_ids, args.rounds)


if __name__ == "__main__":
    main()
