"""Pushes go only to known push services at public addresses: a citizen cannot make the
server POST to loopback, a private network or a host of their choosing, at subscribe time
or at send time, and a push service cannot redirect the worker or flood it.

No test here contacts anything but 127.0.0.1: names are resolved by an injected resolver.
"""

from __future__ import annotations

import dataclasses
import re
import socket
import time
from pathlib import Path
from typing import Any

import pytest
import urllib3.util.connection
from flask import Flask
from sqlalchemy import select

from app.config import ConfigError, Settings
from app.extensions import db
from app.notifications import endpoints
from app.notifications.models import Delivery, PushSubscription
from app.notifications.worker import REFUSED
from tests import factories as f
from tests.factories.push import FAST, make_worker, server_key, subscribe_phone
from tests.factories.world import World, officer_move, submit
from tests.push_service import PushService

CITIZEN_CHOSEN = [
    "http://127.0.0.1:9/push/x", "https://127.0.0.1/push/x", "http://10.0.0.1/push/x",
    "https://10.0.0.1/push/x", "https://[::1]/push/x", "https://localhost/push/x",
    "https://169.254.169.254/latest/meta-data", "https://evil.example/push/x",
    "https://fcm.googleapis.com.evil.example/x", "https://x@fcm.googleapis.com/x",
    "http://fcm.googleapis.com/fcm/send/x", "https://push.apple.com.evil/x",
    "https://fcm.googleapis.com:99999/x",
]


def _token(client: Any, code: str, secret: str) -> str:
    html = client.get(f"/d/{code}?t={secret}").get_data(as_text=True)
    match = re.search(r'data-csrf="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html)
    assert match
    return match.group(1)


def _subscription(service: PushService, endpoint: str) -> dict[str, Any]:
    return dict(service.new_subscriber().subscription(), endpoint=endpoint)


@pytest.mark.parametrize("endpoint", CITIZEN_CHOSEN)
def test_subscribing_an_address_of_the_citizens_choice_is_refused(
        app: Flask, client, world: World, push_service: PushService, endpoint: str) -> None:
    code, secret = submit(client, world)
    response = client.post(f"/d/{code}/push", json={
        "t": secret, "subscription": _subscription(push_service, endpoint)},
        headers={"X-CSRFToken": _token(client, code, secret)})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "dịch vụ thông báo của trình duyệt" in text or "không hợp lệ" in text
    with app.app_context():
        assert db.session.scalars(select(PushSubscription)).all() == []


def test_a_known_push_service_is_accepted(app: Flask, client, world: World,
                                          push_service: PushService) -> None:
    code, secret = submit(client, world)
    for endpoint in ("https://fcm.googleapis.com/fcm/send/abc",
                     "https://web.push.apple.com/QGuQ", "https://wns2-par02p.notify.windows.com/w/?token=1",
                     "https://updates.push.services.mozilla.com/wpush/v2/x"):
        response = client.post(f"/d/{code}/push", json={
            "t": secret, "subscription": _subscription(push_service, endpoint)},
            headers={"X-CSRFToken": _token(client, code, secret)})
        assert response.status_code == 200, (endpoint, response.get_json())


@pytest.fixture
def no_connections(push_app: Flask, tmp_path: Path,
                   monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Any outgoing connection fails the test (and is recorded). The dossier's files stay on
    this disk, so the S3 store of the PostgreSQL pass needs no connection either."""
    f.use_file_store(push_app, f"file://{tmp_path / 'store'}")
    tried: list[Any] = []

    def refuse(address: Any, *_a: Any, **_k: Any) -> None:
        tried.append(address)
        raise AssertionError(f"connection attempted to {address}")

    monkeypatch.setattr(urllib3.util.connection, "create_connection", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return tried


@pytest.mark.parametrize("answer", [["127.0.0.1"], ["10.1.2.3"], ["192.168.1.20"],
                                    ["::ffff:127.0.0.1"], ["fd00::1"],
                                    ["8.8.8.8", "10.0.0.7"]])
def test_a_listed_name_resolving_inside_is_refused_at_send_time_without_connecting(
        push_app: Flask, client, world: World, push_service: PushService,
        no_connections: list[Any], answer: list[str]) -> None:
    code, secret = submit(client, world)
    endpoint = "https://fcm.googleapis.com/fcm/send/abc"
    response = client.post(f"/d/{code}/push", json={
        "t": secret, "subscription": _subscription(push_service, endpoint)},
        headers={"X-CSRFToken": _token(client, code, secret)})
    assert response.status_code == 200
    officer_move(push_app, code, "receive", world.officers["receiving"])
    asked: list[str] = []

    def resolver(host: str, port: int, *_a: Any) -> list[tuple[Any, ...]]:
        asked.append(host)
        family = socket.AF_INET6 if ":" in answer[0] else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in answer]

    worker = make_worker(push_app)
    worker.resolver = resolver
    with push_app.app_context():
        assert worker.run_once() == 1
        delivery = db.session.scalar(select(Delivery))
        assert (delivery.status, delivery.status_code) == ("failed", REFUSED)
    assert asked == ["fcm.googleapis.com"] and no_connections == []
    assert push_service.requests == 0


def test_the_connection_goes_to_the_checked_address(push_service: PushService) -> None:
    """A name only the injected resolver knows reaches the local service: the address
    connected to is the one resolved and checked, with the name kept in the Host header."""
    settings = _settings(push_test_hosts=("push.motcua.test",))
    calls: list[str] = []

    def resolver(host: str, port: int, *_a: Any) -> list[tuple[Any, ...]]:
        calls.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    session = endpoints.PushSession(settings, resolver)
    response = session.post(f"http://push.motcua.test:{push_service.port}/push/unknown",
                            data=b"x", timeout=(1, 2))
    assert response.status_code == 410 and response.content == b"no such subscription"
    assert calls == ["push.motcua.test"] and push_service.requests == 1


def test_a_redirect_is_not_followed(push_app: Flask, client, world: World,
                                    push_service: PushService) -> None:
    code, secret = submit(client, world)
    phone = subscribe_phone(client, push_app, push_service, code, secret)
    push_service.fail(307, location=f"{push_service.origin}/push/{phone.token}")
    officer_move(push_app, code, "receive", world.officers["receiving"])
    with push_app.app_context():
        assert make_worker(push_app).run_once() == 1
        delivery = db.session.scalar(select(Delivery))
        assert (delivery.status, delivery.status_code) == ("failed", 307)
    assert push_service.requests == 1 and push_service.received == []
    assert server_key(push_app)


def test_a_huge_answer_is_not_read_whole(push_service: PushService) -> None:
    push_service.body_size = 512 * 1024 * 1024
    session = endpoints.PushSession(_settings(push_test_hosts=("127.0.0.1",)))
    started = time.monotonic()
    response = session.post(f"{push_service.origin}/push/x", data=b"x", timeout=FAST.timeout)
    assert response.status_code == 410
    assert len(response.content) <= endpoints.MAX_RESPONSE_BYTES
    assert time.monotonic() - started < 5
    time.sleep(0.3)
    assert push_service.body_sent < 64 * 1024 * 1024  # the sender hung up long before


def test_the_test_only_setting_is_refused_in_production(tmp_path) -> None:  # noqa: ANN001
    env = {"MOTCUA_ENV": "production", "SECRET_KEY": "s", "PUSH_TEST_HOSTS": "127.0.0.1"}
    with pytest.raises(ConfigError):
        Settings.from_env(tmp_path, env)
    settings = Settings.from_env(tmp_path, {"MOTCUA_ENV": "production", "SECRET_KEY": "s"})
    assert settings.push_test_hosts == () and "fcm.googleapis.com" in settings.push_hosts
    with pytest.raises(ConfigError):
        dataclasses.replace(settings, push_test_hosts=("127.0.0.1",))


def _settings(**changes: Any) -> Settings:
    fields: dict[str, Any] = {
        "database_url": "sqlite://", "secret_key": "x", "upload_dir": "/nonexistent",
        "max_upload_mb": 10, "max_dossier_mb": 40, "public_base_url": "https://x",
        "production": False, "ratelimit_storage_uri": "memory://"}
    return Settings(**{**fields, **changes})
