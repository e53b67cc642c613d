"""Tracking by dossier code + phone: one generic message for every miss, rate-limited; the
code as people type it; the status page it opens, with nothing personal on it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.dossiers.models import Dossier
from app.extensions import db, limiter
from tests.factories.pages import csrf_token
from tests.factories.world import CITIZEN_ID, World, officer_move, submit

GENERIC = "Không tìm thấy hồ sơ với mã và số điện thoại này"


def _track(client: Any, code: str, phone: str) -> Any:
    token = csrf_token(client.get("/track").get_data(as_text=True))
    return client.post("/track", data={"csrf_token": token, "code": code, "phone": phone})


def test_right_pair_opens_the_status_page(app, world: World) -> None:
    code, _secret = submit(app.test_client(), world)
    fresh = app.test_client()  # another phone: no session, no remembered list
    assert fresh.get(f"/d/{code}").status_code == 404
    response = _track(fresh, code.lower(), "+84 912 345 678")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/d/{code}")
    page = fresh.get(f"/d/{code}")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "private, no-store"
    html = page.get_data(as_text=True)
    assert "Đã nộp – chờ tiếp nhận" in html and "Đăng ký thử" in html
    assert "Nộp hồ sơ trực tuyến" in html  # the timeline
    assert "Việc của bạn bây giờ" in html
    # The commune's contacts.
    assert "0241234567" in html and "1 Đường Làng" in html and "7:30–17:00" in html


def _reset_rate_limit(app: Flask) -> None:
    with app.app_context():
        limiter.reset()


def _stored(app: Flask, code: str) -> Dossier:
    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
        db.session.expunge(dossier)
        return dossier


def test_code_and_phone_show_nothing_personal_and_offer_no_action(app, world: World) -> None:
    owner = app.test_client()
    code, secret = submit(owner, world)
    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
        file_ids = [f.id for f in dossier.files]
    neighbour = app.test_client()
    assert _track(neighbour, code, "0912345678").status_code == 302
    html = neighbour.get(f"/d/{code}").get_data(as_text=True)
    assert "N*** V*** A***" in html  # the applicant "Nguyễn Văn An", masked
    for personal in ("Nguyễn Văn An", CITIZEN_ID, "0912345678", "912 345 678",
                     "Thôn Một, Xã A", "Nguyễn Văn Bé"):
        assert personal not in html, personal
    assert "/withdraw" not in html and "/resubmit" not in html and "/files/" not in html
    assert "Rút hồ sơ" not in html
    token = csrf_token(neighbour.get("/track").get_data(as_text=True))
    for file_id in file_ids:
        assert neighbour.get(f"/d/{code}/files/{file_id}").status_code == 404
    assert neighbour.get(f"/d/{code}/submitted").status_code == 404
    assert neighbour.get(f"/d/{code}/pay").status_code == 404
    withdraw = neighbour.post(f"/d/{code}/withdraw", data={"csrf_token": token,
                                                           "reason": "phá"})
    assert withdraw.status_code == 404
    resubmit = neighbour.post(f"/d/{code}/resubmit", data={"csrf_token": token,
                                                           "note": "phá"})
    assert resubmit.status_code == 404
    assert _stored(app, code).status == "submitted"
    # Not put on this phone's list either: that list opens everything.
    assert code not in neighbour.get("/my").get_data(as_text=True)
    # The phone's own tracking link still opens everything, on this browser too.
    full = neighbour.get(f"/d/{code}?t={secret}").get_data(as_text=True)
    assert "/withdraw" in full and "/files/" in full


def test_status_timeline_shows_dates_and_labels_but_no_officer_note(app, world: World
                                                                    ) -> None:
    code, _secret = submit(app.test_client(), world)
    officer_move(app, code, "request_supplement", world.officers["receiving"],
                 note="Chị Lan ở thôn Một báo giấy chứng sinh bị mờ",
                 missing=["Giấy chứng sinh"], missing_ids=[world.required_doc],
                 comment="Chị Lan ở thôn Một báo giấy chứng sinh bị mờ")
    client = app.test_client()
    _track(client, code, "0912345678")
    html = client.get(f"/d/{code}").get_data(as_text=True)
    assert "Cần bổ sung giấy tờ" in html
    # The catalogue's name of the missing paper is public; the officer's note is not.
    assert "Giấy chứng sinh" in html
    assert "Chị Lan" not in html
    assert re.search(r"<time datetime=\"\d{4}-\d\d-\d\dT\d\d:\d\d", html)


def test_track_accepts_the_code_with_spaces_dashes_commas_or_nothing(app, world: World
                                                                     ) -> None:
    code, _secret = submit(app.test_client(), world)
    agency, day, seq = code.rsplit("-", 2)
    digits = agency.replace(".", "")
    typed_forms = [
        f"  {code.lower()}  ",
        f"{agency.replace('.', ' ')} {day} {seq}",
        f"{agency.replace('.', '-')}-{day}-{seq}",
        f"{agency.replace('.', ',')},{day},{seq}",
        f"{agency.replace('.', '_')}_{day}_{seq}",
        f"{digits}{day}{seq}",
        f"{digits.lower()} {day}{seq}",
        f"{agency} – {day} – {seq}",
    ]
    for typed in typed_forms:
        _reset_rate_limit(app)  # eleven tries from one address are more than a minute allows
        client = app.test_client()
        response = _track(client, typed, "0912345678")
        assert response.status_code == 302, typed
        assert response.headers["Location"].endswith(f"/d/{code}"), typed
    # Letters or digits that are not this code still miss.
    for wrong in (f"{digits}{day}{int(seq) + 1:04d}", f"{digits}9{day}{seq}",
                  f"{day}{seq}"):
        _reset_rate_limit(app)
        assert _track(app.test_client(), wrong, "0912345678").status_code == 422, wrong


@pytest.mark.parametrize("typed", ["{code}", "{spaced}"])
def test_the_slip_qr_opens_track_with_the_code_filled(app, world: World, typed: str
                                                      ) -> None:
    code, _secret = submit(app.test_client(), world)
    spaced = code.replace(".", " ").replace("-", " ")
    client = app.test_client()
    page = client.get("/track", query_string={"code": typed.format(code=code, spaced=spaced)})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'name="code" type="text" value="{code}"' in html
    # The citizen types only the phone.
    token = csrf_token(html)
    response = client.post("/track", data={"csrf_token": token, "code": code,
                                           "phone": "0912 345 678"})
    assert response.headers["Location"].endswith(f"/d/{code}")


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
