"""Drill 6: the push worker is killed (-9) while the push service is slow and answers 503
with Retry-After; a second worker takes over once the first one's leases run out. Every
notification reaches its phone once it recovers. By design (a batch's deliveries are
recorded in one commit) only the killed worker's last uncommitted batch can go out twice
over the wire: at most --batch messages; each copy carries the same tag, so the phone shows
one notification per tag."""

from __future__ import annotations

import dataclasses
import signal
import time
from collections import Counter
from collections.abc import Callable

from sqlalchemy import func, select

from app.extensions import db
from app.notifications.models import Delivery, Notification
from tests.app_process import worker_process
from tests.drills.deployment import Deployment
from tests.factories.push import VAPID_KEY, subscribe_phone
from tests.factories.world import make_world, officer_move, submit
from tests.push_service import PushService

DOSSIERS = 10
BATCH = 5
WORKER_ARGS = ("--poll", "0.1", "--batch", str(BATCH), "--lease", "2", "--base-delay", "0.1")


def test_push_worker_killed_while_the_push_service_is_slow(
        make_deployment: Callable[..., Deployment], push_service: PushService,
        figures: Callable[..., None]) -> None:
    push_env = {"VAPID_PRIVATE_KEY": VAPID_KEY, "PUSH_TEST_HOSTS": "127.0.0.1"}
    deployment = make_deployment(extra_env=push_env)
    app = deployment.app()
    app.config["MOTCUA"] = dataclasses.replace(app.config["MOTCUA"],
                                               vapid_private_key=VAPID_KEY,
                                               push_test_hosts=("127.0.0.1",))
    world = make_world(app)
    phones = []
    for _ in range(DOSSIERS):
        code, secret = submit(app.test_client(), world)
        phones.append((code, subscribe_phone(app.test_client(), app, push_service, code,
                                             secret)))
    o = world.officers
    for code, _phone in phones:
        officer_move(app, code, "receive", o["receiving"])
        officer_move(app, code, "assign", o["receiving"], officer_id=o["specialist"])
        officer_move(app, code, "mark_result_ready", o["specialist"])
    total = 2 * DOSSIERS  # "received" and "result ready" tell the citizen something

    push_service.delay = 0.05  # slow...
    push_service.fail(503, times=12, retry_after="1")  # ...and overloaded at first
    first = worker_process(deployment.env(), *WORKER_ARGS)
    try:
        push_service.wait_for(4, timeout=60)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(10)
    at_kill = len(push_service.received)
    requests_at_kill = push_service.requests
    assert at_kill < total, "the first worker should die with work left"
    second = worker_process(deployment.env(), *WORKER_ARGS)
    try:
        deadline = time.monotonic() + 90
        pending = total
        while pending and time.monotonic() < deadline:
            with app.app_context():
                pending = db.session.scalar(select(func.count(Notification.id)).where(
                    Notification.status == "pending"))
                db.session.remove()
            time.sleep(0.2)
    finally:
        second.terminate()
        second.wait(10)
    assert pending == 0
    with app.app_context():
        assert db.session.scalar(select(func.count(Delivery.id))) == total
        assert set(db.session.scalars(select(Notification.status))) == {"delivered"}
    for code, phone in phones:
        shown = list(dict.fromkeys(m["tag"] for m in push_service.messages(phone)))
        titles = {m["tag"]: m["title"] for m in push_service.messages(phone)}
        assert [titles[t] for t in shown] == [f"Hồ sơ {code} đã được tiếp nhận",
                                              f"Hồ sơ {code} đã có kết quả"], code
    # The phone shows one per tag: every copy of a tag is the same message.
    copies = Counter(m["tag"] for m in push_service.messages())
    assert len(copies) == total
    by_tag: dict[str, list[dict[str, object]]] = {}
    for message in push_service.messages():
        by_tag.setdefault(str(message["tag"]), []).append(message)
    assert all(all(m == same[0] for m in same) for same in by_tag.values())
    resent = sum(copies.values()) - total
    assert resent <= BATCH, copies.most_common(BATCH + 1)
    figures(killed=f"push worker kill -9 after {at_kill} of {total} delivered "
                   f"({requests_at_kill} requests to the push service)",
            push_service="50 ms a request, first 12 answered 503 + Retry-After: 1",
            delivered=total, delivery_rows=total, resent_over_the_wire=resent,
            duplicate_bound=f"{BATCH} (one batch)", shown_on_phones=len(copies))
