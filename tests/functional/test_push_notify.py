"""A push worker in its own process is woken by PostgreSQL's LISTEN/NOTIFY, sent by the
transaction that enqueued the notification: with a 60 s poll, only the NOTIFY can explain a
delivery that comes sooner."""

from __future__ import annotations

import queue
import threading
from pathlib import Path

import pytest
from flask import Flask

from tests.app_process import app_env, worker_process
from tests.factories.push import VAPID_KEY, subscribe_phone
from tests.factories.world import World, officer_move, submit
from tests.pg_server import stop_process
from tests.push_service import PushService

pytestmark = pytest.mark.committed

POLL = 60.0  # seconds between the worker's own looks at the outbox
GUARD = 30.0  # how long the test waits for a message: well before the next poll


def _lines(stream: object) -> queue.Queue[str]:
    found: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in stream:  # type: ignore[attr-defined]
            found.put(line)

    threading.Thread(target=read, daemon=True).start()
    return found


def _wait_for_line(lines: queue.Queue[str], needle: str, timeout: float) -> str:
    seen = []
    while True:
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"worker never printed {needle!r}: {seen}") from None
        seen.append(line)
        if needle in line:
            return line


def test_a_separate_worker_delivers_on_notify_before_its_poll(
        push_app: Flask, client, world: World, push_service: PushService, backend: str,
        _schema: str, tmp_path: Path) -> None:
    if backend != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's; on SQLite a worker process polls")
    code, secret = submit(client, world)
    phone = subscribe_phone(client, push_app, push_service, code, secret)
    env = app_env(_schema, tmp_path, VAPID_PRIVATE_KEY=VAPID_KEY,
                  PUSH_TEST_HOSTS="127.0.0.1")
    worker = worker_process(env, "--poll", str(POLL))
    try:
        lines = _lines(worker.stderr)
        idle = _wait_for_line(lines, "idle", timeout=60)
        assert "LISTEN motcua_outbox" in idle, idle
        # The worker has looked once, found nothing, and now sleeps for POLL seconds.
        officer_move(push_app, code, "receive", world.officers["receiving"])
        assert len(push_service.wait_for(1, timeout=GUARD)) == 1, \
            "nothing arrived before the poll: the worker was not woken by NOTIFY"
        assert [m["title"] for m in push_service.messages(phone)] == [
            f"Hồ sơ {code} đã được tiếp nhận"]
        # And again, once it is idle after that delivery.
        officer_move(push_app, code, "assign", world.officers["receiving"],
                     officer_id=world.officers["specialist"])
        officer_move(push_app, code, "mark_result_ready", world.officers["specialist"])
        assert len(push_service.wait_for(2, timeout=GUARD)) == 2
        assert push_service.messages(phone)[1]["title"] == f"Hồ sơ {code} đã có kết quả"
    finally:
        stop_process(worker)
