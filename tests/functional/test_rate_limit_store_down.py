"""With the rate-limit store (Redis) unreachable: looking a dossier up by code and phone
is paused with a Vietnamese message; pages and the API keep answering (in-memory limits).
The same with two real servers and a real Redis stopped is drill 4 (tests/drills)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from tests.factories.apps import make_app
from tests.factories.pages import csrf_token
from tests.pg_server import free_port


def _app(database_url: str, tmp_path: Path) -> Flask:
    # Nobody listens on this port: every Redis call is refused at once.
    return make_app(database_url, tmp_path / "uploads", SETTINGS={
        "ratelimit_storage_uri": f"redis://127.0.0.1:{free_port()}/0"})


def test_tracking_by_code_and_phone_fails_closed(_schema: str, tmp_path: Path) -> None:
    client = _app(_schema, tmp_path).test_client()
    page = client.get("/track")
    assert page.status_code == 200
    answer = client.post("/track", data={"csrf_token": csrf_token(page.data),
                                         "code": "000.31.12.H26-261122-0007",
                                         "phone": "0912345678"})
    assert answer.status_code == 503
    html = answer.get_data(as_text=True)
    assert "Tra cứu tạm ngừng" in html
    assert "đường dẫn theo dõi nhận được khi nộp hồ sơ vẫn mở được hồ sơ" in html


def test_public_reads_fail_open(_schema: str, tmp_path: Path) -> None:
    client = _app(_schema, tmp_path).test_client()
    assert client.get("/procedures").status_code == 200
    assert client.get("/api/v1/procedures").status_code == 200
