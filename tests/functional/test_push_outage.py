"""Web push survives a push service outage and a worker killed mid-batch: every notification
arrives, in order per dossier, and is shown once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.notifications.models import Delivery, Notification
from tests.factories.push import VAPID_KEY, drain, make_worker, subscribe_phone
from tests.factories.world import World, officer_move, submit
from tests.push_service import PushService, Subscriber

REPO = Path(__file__).resolve().parents[2]
TITLES = ("Hồ sơ {code} đã được tiếp nhận", "Xin lỗi: hồ sơ {code} chậm so với ngày hẹn",
          "Hồ sơ {code} đã có kết quả")


def _dossiers(client: Any, app: Flask, world: World, service: PushService, count: int
              ) -> list[tuple[str, Subscriber]]:
    out = []
    for _ in range(count):
        phone = app.test_client()  # each citizen has their own phone (and cookies)
        code, secret = submit(phone, world)
        out.append((code, subscribe_phone(phone, app, service, code, secret)))
    return out


def _moves(app: Flask, world: World, code: str, step: int) -> None:
    """Three moves that each tell the citizen something (0: receive, 1: apology, 2: result)."""
    o = world.officers
    if step == 0:
        officer_move(app, code, "receive", o["receiving"])
        officer_move(app, code, "assign", o["receiving"], officer_id=o["specialist"])
    elif step == 1:
        from datetime import date, timedelta

        officer_move(app, code, "apologize", o["specialist"], note="Chờ xác minh",
                     new_due_date=date.today() + timedelta(days=60))
    else:
        officer_move(app, code, "mark_result_ready", o["specialist"])


def _titles(service: PushService, phone: Subscriber) -> list[str]:
    return [m["title"] for m in service.messages(phone)]


def test_outage_then_recovery_delivers_each_once_in_order(push_app: Flask, client, world: World,
                                                          push_service: PushService) -> None:
    dossiers = _dossiers(client, push_app, world, push_service, 10)
    worker = make_worker(push_app)
    push_service.fail(503)  # the push service is overloaded...
    for code, _phone in dossiers:
        _moves(push_app, world, code, 0)
    with push_app.app_context():
        for _ in range(3):
            worker.run_once()
            time.sleep(0.2)
        db.session.remove()
    assert push_service.received == [] and push_service.requests >= 10
    push_service.stop()  # ...then gone altogether
    for code, _phone in dossiers:
        _moves(push_app, world, code, 1)
        _moves(push_app, world, code, 2)
    with push_app.app_context():
        for _ in range(3):
            worker.run_once()
            time.sleep(0.2)
        attempts = db.session.scalars(select(Notification.attempts)
                                       .order_by(Notification.id)).all()
        db.session.remove()
    assert push_service.received == []
    assert all(a >= 1 for a in attempts[:10])
    push_service.heal()
    push_service.start()  # back, on the same port
    drain(push_app, worker, rounds=200)
    for code, phone in dossiers:
        assert _titles(push_service, phone) == [t.format(code=code) for t in TITLES]
    tags = [m["tag"] for m in push_service.messages()]
    assert len(tags) == 30 and len(set(tags)) == 30
    with push_app.app_context():
        assert db.session.scalar(select(func.count(Delivery.id))) == 30
        assert set(db.session.scalars(select(Notification.status))) == {"delivered"}


def _worker_process(database_url: str, tmp: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": database_url, "VAPID_PRIVATE_KEY": VAPID_KEY,
           "SECRET_KEY": "test-worker", "UPLOAD_DIR": str(tmp / "uploads"),
           "PUSH_TEST_HOSTS": "127.0.0.1"}
    env.pop("MOTCUA_PUSH_WORKER", None)
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--poll", "0.1",
         "--batch", "5", "--lease", "2", "--base-delay", "0.1"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.mark.committed
def test_worker_killed_mid_batch_loses_nothing(push_app: Flask, client, world: World,
                                               push_service: PushService, _schema: str,
                                               tmp_path: Path) -> None:
    dossiers = _dossiers(client, push_app, world, push_service, 12)
    for step in range(3):
        for code, _phone in dossiers:
            _moves(push_app, world, code, step)
    total = 36
    push_service.delay = 0.03  # a slow push service: the kill lands mid-batch
    first = _worker_process(_schema, tmp_path)
    try:
        push_service.wait_for(10, timeout=60)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    at_kill = len(push_service.received)
    assert 10 <= at_kill < total, "the first worker should die with work left"
    second = _worker_process(_schema, tmp_path)
    try:
        deadline = time.monotonic() + 90
        pending = total
        while time.monotonic() < deadline:
            with push_app.app_context():
                pending = db.session.scalar(select(func.count(Notification.id)).where(
                    Notification.status == "pending"))
                db.session.remove()
            if not pending:
                break
            time.sleep(0.2)
    finally:
        second.terminate()
        second.wait(10)
    assert pending == 0
    # No loss: every notification reached its phone, in order per dossier.
    for code, phone in dossiers:
        shown = list(dict.fromkeys(m["tag"] for m in push_service.messages(phone)))
        titles = {m["tag"]: m["title"] for m in push_service.messages(phone)}
        assert [titles[t] for t in shown] == [t.format(code=code) for t in TITLES]
    # No duplicate delivery record. Over the wire, only messages of the killed worker's last
    # uncommitted group can come twice (at most one batch of 5 here), and the phone shows
    # each once: same tag, same Topic.
    with push_app.app_context():
        assert db.session.scalar(select(func.count(Delivery.id))) == total
    copies = Counter(m["tag"] for m in push_service.messages())
    assert len(copies) == total
    assert sum(copies.values()) - total <= 5, copies.most_common(6)
    print(f"resent after the kill: {sum(copies.values()) - total}")
