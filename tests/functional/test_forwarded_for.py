"""Behind nginx every request arrives from 127.0.0.1: rate limits must count the citizen's
address from X-Forwarded-For, and only as far as the configured proxies vouch for it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from app.extensions import limiter
from tests.factories.apps import make_app
from tests.factories.pages import csrf_token

PROXY = "127.0.0.1"  # nginx on the same host


def _client(app: Flask, remote_addr: str) -> Any:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = remote_addr
    return client


def _guesses(client: Any, forwarded_for: str, count: int) -> list[int]:
    """Statuses of `count` wrong code/phone pairs on /track (10 per minute per address)."""
    headers = {"X-Forwarded-For": forwarded_for}
    token = csrf_token(client.get("/track", headers=headers).get_data(as_text=True))
    return [client.post("/track", headers=headers,
                        data={"csrf_token": token, "code": f"X-{i}",
                              "phone": "0912345678"}).status_code
            for i in range(count)]


def _app(database: str, tmp_path: Path, hops: int) -> Flask:
    app = make_app(database, tmp_path / "uploads", SETTINGS={"trusted_proxy_hops": hops})
    with app.app_context():
        limiter.reset()
    return app


def test_each_citizen_behind_the_proxy_has_their_own_limit(_schema: str,
                                                           tmp_path: Path) -> None:
    app = _app(_schema, tmp_path, hops=1)
    first = _client(app, PROXY)
    assert _guesses(first, "203.0.113.5", 11) == [422] * 10 + [429]
    # Another villager through the same nginx is not punished for the first one's guesses.
    second = _client(app, PROXY)
    assert _guesses(second, "203.0.113.6", 1) == [422]
    # A client that prepends a made-up address is still counted by what nginx appended.
    forged = _client(app, PROXY)
    assert _guesses(forged, "198.51.100.7, 203.0.113.5", 1) == [429]


def test_without_a_proxy_the_header_is_ignored(_schema: str, tmp_path: Path) -> None:
    app = _app(_schema, tmp_path, hops=0)
    client = _client(app, "203.0.113.9")
    assert _guesses(client, "203.0.113.5", 10) == [422] * 10
    # Changing the header does not buy ten more guesses.
    assert _guesses(client, "203.0.113.77", 1) == [429]


def test_the_scheme_the_citizen_used_reaches_the_app(_schema: str, tmp_path: Path) -> None:
    app = _app(_schema, tmp_path, hops=1)

    @app.get("/_scheme")
    def _scheme() -> str:
        from flask import request
        return f"{request.scheme} {request.remote_addr}"

    answer = _client(app, PROXY).get(
        "/_scheme", headers={"X-Forwarded-For": "203.0.113.5", "X-Forwarded-Proto": "https"})
    assert answer.get_data(as_text=True) == "https 203.0.113.5"
