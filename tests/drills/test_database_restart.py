"""Drill 2: PostgreSQL restarts (fast stop, start on the same port) while citizens read
pages, look their dossiers up and submit to two app servers. The app servers are not
restarted: requests in the gap answer 503 (a Vietnamese page, or the API's JSON error)
or succeed, and none is applied twice."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import requests
from sqlalchemy import func, select

from app.dossiers.models import Dossier
from app.extensions import db
from tests.drills.clients import Answer, Submission, Traffic, photos
from tests.drills.deployment import Deployment, seed

OUTAGE_SECONDS = 5
PAGE_TITLE = "Hệ thống tạm gián đoạn"


def _submitter(world, urls: list[str], done: list[Submission]):  # noqa: ANN001, ANN202
    """A citizen per call: one dossier, retried with the same key until it is taken."""
    def send(base: str, headers: dict[str, str]) -> requests.Response:
        sub = Submission(f"drill2-{uuid.uuid4().hex}", photos(len(done), world.documents),
                         world.procedure_code, world.agency, address=headers["X-Forwarded-For"])
        sub.send_until_done([base, *[u for u in urls if u != base]], time.monotonic() + 60)
        done.append(sub)
        # The traffic log keeps every attempt; the last one stands for the call.
        return _Last(sub)

    return send


class _Last:
    """The last attempt of a submission, shaped as the traffic log reads an answer."""

    def __init__(self, sub: Submission) -> None:
        self.status_code = sub.answers[-1]
        self.text = ""
        self.headers: dict[str, str] = {}


def _recovered(answers: list[Answer], back_at: float) -> bool:
    """After the restart, a success came and no failure followed it."""
    after = [a.status for a in answers if a.started >= back_at]
    ok = [i for i, status in enumerate(after) if 200 <= status < 300]
    return bool(ok) and all(200 <= s < 300 for s in after[ok[0]:])


def test_postgresql_restart_during_mixed_traffic(deployment: Deployment,
                                                 figures: Callable[..., None]) -> None:
    app = deployment.app()
    world = seed(app)
    submitted: list[Submission] = []
    with deployment.web(2) as urls:
        first = Submission(f"drill2-{uuid.uuid4().hex}", photos(999, world.documents),
                           world.procedure_code, world.agency)
        assert first.send_until_done(urls, time.monotonic() + 30) == 201
        lookup = first.tracking_path.replace("/d/", "/api/v1/dossiers/", 1)
        traffic = Traffic(urls)
        traffic.add("procedure page", lambda base, h: requests.get(
            f"{base}/procedures/{world.procedure_code}", headers=h, timeout=15))
        traffic.add("village page", lambda base, h: requests.get(
            f"{base}/v/{world.village}", headers=h, timeout=15))
        traffic.add("tracking API", lambda base, h: requests.get(
            base + lookup, headers=h, timeout=15))
        traffic.add("submission", _submitter(world, urls, submitted), pause=0.2)
        time.sleep(2)
        down_at = time.monotonic()
        deployment.pg.stop_fast()
        time.sleep(OUTAGE_SECONDS)
        deployment.pg.start_again()
        back_at = time.monotonic()
        time.sleep(4)
        traffic.stop()

    answers = [a for a in traffic.answers if a.kind != "submission"]
    attempts = [status for sub in submitted for status in sub.answers]
    # Clean answers only: served, or 503 with the outage's message; nothing else.
    assert {a.status for a in answers} <= {200, 503}, traffic.tally()
    assert set(attempts) <= {200, 201, 503}, attempts
    refused = [a for a in answers if a.status == 503]
    assert refused, "no request met the outage"
    for a in refused:
        # 10 s from the app, or the rate limiter's window on a limited endpoint.
        assert a.retry_after is not None and a.retry_after.isdigit()
        if a.kind == "tracking API":
            assert '"code":"database_unavailable"' in a.body.replace(" ", "")
        else:
            assert PAGE_TITLE in a.body and "Vui lòng thử lại sau ít phút" in a.body
    assert all(a.ended >= down_at for a in refused)  # none before the stop
    # The same two app servers serve again, with no restart.
    for kind in ("procedure page", "village page", "tracking API"):
        assert _recovered(traffic.of(kind), back_at), (kind, traffic.tally()[kind])
    # Each submission exists exactly once, whatever its retries met.
    assert submitted and all(sub.body is not None for sub in submitted)
    with app.app_context():
        per_key = dict(db.session.execute(
            select(Dossier.idempotency_key, func.count()).group_by(Dossier.idempotency_key)
        ).all())
    keys = {sub.key for sub in submitted} | {first.key}
    assert per_key == dict.fromkeys(keys, 1)
    retried = [sub for sub in submitted if len(sub.answers) > 1]
    figures(cut=f"PostgreSQL fast stop, {OUTAGE_SECONDS}s down, start on the same port",
            servers="2 gunicorn, not restarted", answers=traffic.tally(),
            submission_attempts={s: attempts.count(s) for s in sorted(set(attempts))},
            dossiers=len(keys), retried_submissions=len(retried), applied_twice=0)
