"""Tracking by dossier code + phone: one generic message for every miss, rate-limited."""

from __future__ import annotations

from typing import Any

from tests.factories.pages import csrf_token
from tests.factories.world import World, submit

GENERIC = "Không tìm thấy hồ sơ với mã và số điện thoại này"


def _track(client: Any, code: str, phone: str) -> Any:
    token = csrf_token(client.get("/track").get_data(as_text=True))
    return client.post("/track", data={"csrf_token": token, "code": code, "phone": phone})


def test_right_pair_opens_the_dossier_page(app, world: World) -> None:
    code, _secret = submit(app.test_client(), world)
    fresh = app.test_client()  # another phone: no session, no remembered list
    assert fresh.get(f"/d/{code}").status_code == 404
    response = _track(fresh, code.lower(), "+84 912 345 678")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/d/{code}")
    page = fresh.get(f"/d/{code}")
    assert page.status_code == 200
    assert "Đã nộp – chờ tiếp nhận" in page.get_data(as_text=True)
    # Tracked on this phone: it is on the phone's list now.
    assert code in fresh.get("/my").get_data(as_text=True)


def test_wrong_phone_or_code_get_the_same_answer(app, world: World) -> None:
    code, _secret = submit(app.test_client(), world)
    client = app.test_client()
    answers = [_track(client, code, "0987654321"),
               _track(client, code[:-1] + "9", "0912345678"),
               _track(client, "khong-co-ma-nay", "0912345678"),
               _track(client, code, "not a phone")]
    assert {r.status_code for r in answers} == {422}
    bodies = [r.get_data(as_text=True) for r in answers]
    assert all(GENERIC in b for b in bodies)
    assert client.get(f"/d/{code}").status_code == 404


def test_empty_fields_are_named(client, world: World) -> None:
    response = _track(client, "", "")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="f-code-error"' in html and 'id="f-phone-error"' in html


def test_guessing_is_rate_limited(client, world: World) -> None:
    token = csrf_token(client.get("/track").get_data(as_text=True))
    statuses = [client.post("/track", data={"csrf_token": token, "code": f"X-{i}",
                                            "phone": "0912345678"}).status_code
                for i in range(11)]
    assert statuses[:10] == [422] * 10
    assert statuses[10] == 429
    limited = client.post("/track", data={"csrf_token": token, "code": "X",
                                          "phone": "0912345678"})
    assert limited.status_code == 429
    assert "Quá nhiều yêu cầu" in limited.get_data(as_text=True)
    assert client.get("/track").status_code == 200  # reading the form is not limited
