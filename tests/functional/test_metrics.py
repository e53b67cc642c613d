"""GET /metrics: hidden from the public (404), and its figures move with real requests,
outbox rows, push failures, webhook refusals and file store errors."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from flask import Flask
from prometheus_client.parser import text_string_to_metric_families

from tests import factories as f
from tests.factories.push import drain, subscribe_phone
from tests.factories.world import World, officer_move, submit
from tests.push_service import PushService

TOKEN = "mG4p-8vQz2LrX7kTn1WcY5sJb3Hd9FaE6uRo0iKe"


def _with_token(app: Flask) -> Flask:
    app.config["MOTCUA"] = dataclasses.replace(app.config["MOTCUA"], metrics_token=TOKEN)
    return app


def _scrape(client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:  # noqa: ANN001
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    figures = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            figures[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return figures


def _value(figures: dict, name: str, **labels: str) -> float:
    return figures.get((name, tuple(sorted(labels.items()))), 0.0)


def test_the_public_gets_404(app: Flask, client) -> None:
    assert client.get("/metrics").status_code == 404  # no token configured: always off
    _with_token(app)
    for header in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN},
                   {"Authorization": f"Basic {TOKEN}"}):
        response = client.get("/metrics", headers=header)
        assert response.status_code == 404
        assert b"motcua_" not in response.data
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}
                      ).status_code == 200


def test_requests_are_counted_by_status(app: Flask, client) -> None:
    _with_token(app)
    before = _scrape(client)
    assert client.get("/no-such-page").status_code == 404
    assert client.get("/no-such-page").status_code == 404
    assert client.get("/healthz").status_code == 200
    after = _scrape(client)
    ok = "motcua_http_requests_total"
    assert _value(after, ok, status="404") - _value(before, ok, status="404") == 2
    # /healthz and the first scrape itself.
    assert _value(after, ok, status="200") - _value(before, ok, status="200") == 2


def test_outbox_depth_age_and_delivery_failures(push_app: Flask, client, world: World,
                                                push_service: PushService) -> None:
    _with_token(push_app)
    code, secret = submit(client, world)
    subscribe_phone(client, push_app, push_service, code, secret)
    empty = _scrape(client)
    assert _value(empty, "motcua_outbox_depth") == 0
    assert _value(empty, "motcua_outbox_oldest_age_seconds") == 0
    officer_move(push_app, code, "receive", world.officers["receiving"])
    officer_move(push_app, code, "assign", world.officers["receiving"],
                 officer_id=world.officers["specialist"])
    officer_move(push_app, code, "mark_result_ready", world.officers["specialist"])
    waiting = _scrape(client)
    assert _value(waiting, "motcua_outbox_depth") == 2  # "received", "result ready"
    assert _value(waiting, "motcua_outbox_oldest_age_seconds") > 0
    push_service.fail(400)  # the push service refuses the message outright
    drain(push_app)
    after = _scrape(client)
    assert _value(after, "motcua_outbox_depth") == 0
    refused = "motcua_push_delivery_failures_total"
    assert _value(after, refused, kind="refused") - _value(empty, refused, kind="refused") == 2


def test_webhook_rejections_are_counted(app: Flask, client) -> None:
    _with_token(app)
    app.config["MOTCUA"] = dataclasses.replace(app.config["MOTCUA"],
                                               payment_webhook_secrets=("s3cr3t-bank",))
    name = "motcua_webhook_rejections_total"
    before = _scrape(client)
    forged = client.post("/api/v1/payments/webhook", data=b'{"id": "x"}',
                         headers={"X-Motcua-Signature": "t=1,v1=00",
                                  "Content-Type": "application/json"})
    assert forged.status_code == 401
    casso = client.post("/api/v1/payments/casso", data=b"{}",
                        headers={"Content-Type": "application/json"})
    assert casso.status_code == 503  # no CASSO_SECURE_TOKEN: the adapter is off
    after = _scrape(client)
    assert _value(after, name, reason="unauthorized") - \
        _value(before, name, reason="unauthorized") == 1
    assert _value(after, name, reason="not_configured") - \
        _value(before, name, reason="not_configured") == 1


def test_file_store_errors_are_counted(app: Flask, client, tmp_path: Path) -> None:
    _with_token(app)
    from app.dossiers.filestore import get_file_store

    before = _scrape(client)
    blocked = tmp_path / "files"
    blocked.write_bytes(b"not a folder")  # the store's folder cannot be made: a disk fault
    f.use_file_store(app, f"file://{blocked}")
    with app.app_context():
        store = get_file_store()
        for attempt in (lambda: store.put_bytes(b"x", "jpg"),
                        lambda: store.open("A" * 32 + ".jpg")):
            try:
                attempt()
            except OSError:
                pass
            else:
                raise AssertionError("the blocked store accepted an operation")
    after = _scrape(client)
    name = "motcua_storage_errors_total"
    assert _value(after, name, operation="put") - _value(before, name, operation="put") == 1
    assert _value(after, name, operation="open") - _value(before, name, operation="open") == 1
