"""With no identity provider configured, sign-in is invisible and nothing else changes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories.world import PROCEDURE, World, submit


@pytest.fixture(autouse=True)
def _no_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_STAFF_ISSUER", "OIDC_STAFF_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)


def test_no_sign_in_button_and_guests_work_as_before(client: Any, world: World) -> None:
    for path in ("/", f"/procedures/{PROCEDURE}/apply", "/officer/login"):
        html = client.get(path).get_data(as_text=True)
        assert "/login?" not in html and 'href="/login"' not in html
        assert "tài khoản định danh" not in html and "tài khoản công vụ" not in html
    code, secret = submit(client, world)
    page = client.get(f"/d/{code}?t={secret}").get_data(as_text=True)
    assert "Lưu vào tài khoản" not in page
    assert client.get("/me/dossiers").status_code == 404
    went = client.get("/login")
    assert went.status_code == 302 and went.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["/\t/evil.example", "/%09/evil.example", "/\r\n/evil",
                                    "/%0d%0aSet-Cookie:x=1", "//evil", "/\\evil",
                                    "https://evil", "javascript:alert(1)"])
def test_sign_in_start_never_sends_the_browser_off_site(client: Any, target: str) -> None:
    went = client.get("/login", query_string={"next": target})
    assert went.status_code == 302 and went.headers["Location"] == "/"
    staff = client.get("/officer/login/oidc", query_string={"next": target})
    assert staff.status_code == 302 and staff.headers["Location"] == "/"
