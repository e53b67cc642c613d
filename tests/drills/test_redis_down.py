"""Drill 4: Redis, where the rate limits are counted, goes away and comes back on its port.
The policy (README, "Reliability"): public pages, the API and submissions fail open (each
process counts in its own memory meanwhile); looking a dossier up by code and phone fails
closed with a Vietnamese message, since counted per process it would allow a multiple of
the guesses; officer sign-in stays open, throttled in PostgreSQL."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Iterator

import pytest
import requests

from app.extensions import db
from app.places.models import Agency
from tests import redis_server
from tests.conftest import need
from tests.drills.clients import Submission, citizen_address, photos
from tests.drills.deployment import Deployment, seed
from tests.factories.officers import PASSWORD, officer

PAUSED = "Tra cứu tạm ngừng"


@pytest.fixture
def redis() -> Iterator[redis_server.RedisServer]:
    try:
        server = redis_server.start()
    except redis_server.RedisUnavailable as exc:
        need(str(exc))
        raise
    yield server
    server.stop()  # the restarted one too: a restart swaps in its process


def _form(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=10)
    assert page.status_code == 200
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match
    return match.group(1)


def _citizen() -> requests.Session:
    session = requests.Session()
    session.headers["X-Forwarded-For"] = citizen_address()
    return session


def _track(base: str, code: str) -> requests.Response:
    villager = _citizen()
    token = _form(villager, f"{base}/track")
    return villager.post(f"{base}/track", data={"csrf_token": token, "code": code,
                                                "phone": "0912345678"},
                         allow_redirects=False, timeout=10)


def _sign_in(base: str, username: str) -> int:
    desk = _citizen()
    token = _form(desk, f"{base}/officer/login")
    return desk.post(f"{base}/officer/login", data={
        "csrf_token": token, "username": username, "password": PASSWORD},
        allow_redirects=False, timeout=10).status_code


def test_redis_down_public_reads_fail_open_and_lookups_fail_closed(
        make_deployment: Callable[..., Deployment], redis: redis_server.RedisServer,
        figures: Callable[..., None]) -> None:
    deployment = make_deployment(extra_env={"RATELIMIT_STORAGE_URI": redis.url})
    app = deployment.app()
    world = seed(app)
    with app.app_context():
        home = db.session.get(Agency, world.pay.agency_id)
        desk = officer(home, "receiving", username="tiepnhan.drill4").username
        db.session.commit()
    seen: dict[str, list[int]] = {}

    def submit(urls: list[str]) -> int:
        sub = Submission(f"drill4-{uuid.uuid4().hex}", photos(len(seen), world.documents),
                         world.procedure_code, world.agency)
        return sub.post(urls[0]).status_code

    with deployment.web(2) as urls:
        first = Submission(f"drill4-{uuid.uuid4().hex}", photos(0, world.documents),
                           world.procedure_code, world.agency)
        assert first.send_until_done(urls, time.monotonic() + 20) == 201
        for base in urls:
            assert _track(base, first.code).status_code == 302

        redis.stop()
        for base in urls:
            answers = {
                "procedure page": requests.get(f"{base}/procedures/{world.procedure_code}",
                                               timeout=10).status_code,
                "procedures API": requests.get(f"{base}/api/v1/procedures",
                                               headers={"X-Forwarded-For": citizen_address()},
                                               timeout=10).status_code,
                "tracking link": requests.get(base + first.tracking_path,
                                              timeout=10).status_code,
                "submission": submit([base]),
                "officer sign-in": _sign_in(base, desk),
            }
            for kind, status in answers.items():
                seen.setdefault(f"{kind} (Redis down)", []).append(status)
            lookup = _track(base, first.code)
            seen.setdefault("lookup by code+phone (Redis down)", []).append(lookup.status_code)
            assert lookup.status_code == 503
            assert PAUSED in lookup.text and "vẫn mở được hồ sơ" in lookup.text
            assert lookup.headers["Retry-After"].isdigit()
            assert answers == {"procedure page": 200, "procedures API": 200,
                               "tracking link": 200, "submission": 201,
                               "officer sign-in": 302}, answers

        back = redis_server.start(port=redis.port)
        redis.process = back.process  # stopped by the fixture
        for base in urls:
            again = _track(base, first.code)
            seen.setdefault("lookup by code+phone (Redis back)", []).append(again.status_code)
            assert again.status_code == 302
    figures(cut="Redis stopped, then started on the same port", servers=2, answers=seen)
