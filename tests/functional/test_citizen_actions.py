"""The citizen's own moves: answer a supplement request with files and a note, withdraw."""

from __future__ import annotations

import io
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.dossiers.models import Dossier
from app.extensions import db
from tests.factories.files import jpeg, pdf
from tests.factories.pages import csrf_token
from tests.factories.world import World, officer_move, stored_files, submit


def _page(client: Any, code: str) -> tuple[str, str]:
    html = client.get(f"/d/{code}").get_data(as_text=True)
    return html, csrf_token(html)


def _dossier(app: Flask, code: str) -> dict[str, Any]:
    with app.app_context():
        d = db.session.scalar(select(Dossier).where(Dossier.code == code))
        return {"status": d.status, "events": [(e.action, e.note) for e in d.events],
                "files": [(f.kind, f.storage_key) for f in d.files], "due": d.due_date}


def test_resubmit_after_a_supplement_request(app: Flask, client, world: World) -> None:
    code, _secret = submit(client, world)
    officer_move(app, code, "request_supplement", world.officers["receiving"],
                 note="Thiếu trang 2 của giấy chứng sinh")
    html, token = _page(client, code)
    assert "Cần bổ sung giấy tờ" in html
    assert "Thiếu trang 2 của giấy chứng sinh" in html
    assert 'action="/d/' + code + '/resubmit"' in html
    response = client.post(f"/d/{code}/resubmit", data={
        "csrf_token": token, "note": "Đã chụp đủ hai trang",
        "files": [(io.BytesIO(jpeg()), "trang2.jpg"), (io.BytesIO(pdf()), "ban-sao.pdf")],
    }, content_type="multipart/form-data")
    assert response.status_code == 302
    state = _dossier(app, code)
    assert state["status"] == "submitted"
    assert state["events"][-1] == ("resubmit", "Đã chụp đủ hai trang")
    assert [k for k, _key in state["files"]] == ["application", "supplement", "supplement"]
    assert len(stored_files(app)) == 3
    html = client.get(f"/d/{code}").get_data(as_text=True)
    assert "Nộp bổ sung giấy tờ" in html and "Đã chụp đủ hai trang" in html


def test_resubmit_during_processing_returns_to_the_specialist(app: Flask, client,
                                                              world: World) -> None:
    code, _secret = submit(client, world)
    officer_move(app, code, "receive", world.officers["receiving"])
    officer_move(app, code, "assign", world.officers["leader"],
                 officer_id=world.officers["specialist"])
    officer_move(app, code, "request_supplement", world.officers["specialist"],
                 note="Cần thêm giấy xác nhận cư trú")
    _html, token = _page(client, code)
    response = client.post(f"/d/{code}/resubmit", data={
        "csrf_token": token, "files": [(io.BytesIO(jpeg()), "cu-tru.jpg")]},
        content_type="multipart/form-data")
    assert response.status_code == 302
    state = _dossier(app, code)
    assert state["status"] == "in_progress"
    assert state["due"] is not None


def test_resubmit_needs_something_and_refuses_bad_files(app: Flask, client,
                                                        world: World) -> None:
    code, _secret = submit(client, world)
    officer_move(app, code, "request_supplement", world.officers["receiving"], note="Thiếu")
    _html, token = _page(client, code)
    empty = client.post(f"/d/{code}/resubmit", data={"csrf_token": token},
                        content_type="multipart/form-data")
    assert empty.status_code == 422
    assert 'id="f-files-error"' in empty.get_data(as_text=True)
    bad = client.post(f"/d/{code}/resubmit", data={
        "csrf_token": token, "note": "x",
        "files": [(io.BytesIO(jpeg()), "ok.jpg"), (io.BytesIO(b"<svg onload=alert(1)>"),
                                                   "x.svg")]},
        content_type="multipart/form-data")
    assert bad.status_code == 422
    assert _dossier(app, code)["status"] == "needs_supplement"
    assert len(stored_files(app)) == 1


def test_resubmit_when_nothing_was_asked_is_refused(app: Flask, client, world: World) -> None:
    code, _secret = submit(client, world)
    _html, token = _page(client, code)
    response = client.post(f"/d/{code}/resubmit", data={
        "csrf_token": token, "note": "xin xem lại"}, content_type="multipart/form-data")
    assert response.status_code == 409
    assert _dossier(app, code)["events"] == [("submit", "")]


def test_withdraw_with_a_reason(app: Flask, client, world: World) -> None:
    code, _secret = submit(client, world)
    html, token = _page(client, code)
    assert "Rút hồ sơ" in html
    missing = client.post(f"/d/{code}/withdraw", data={"csrf_token": token, "reason": "  "})
    assert missing.status_code == 422
    assert 'id="f-reason-error"' in missing.get_data(as_text=True)
    assert _dossier(app, code)["status"] == "submitted"
    done = client.post(f"/d/{code}/withdraw",
                       data={"csrf_token": token, "reason": "Đã làm ở xã khác"})
    assert done.status_code == 302
    state = _dossier(app, code)
    assert state["status"] == "withdrawn"
    assert state["events"][-1] == ("withdraw", "Đã làm ở xã khác")
    html = client.get(f"/d/{code}").get_data(as_text=True)
    assert "Đã rút hồ sơ" in html and "Đã làm ở xã khác" in html
    assert f'action="/d/{code}/withdraw"' not in html
    again = client.post(f"/d/{code}/withdraw", data={"csrf_token": token, "reason": "lại"})
    assert again.status_code == 409


def test_actions_need_access_and_csrf(app: Flask, client, world: World) -> None:
    code, _secret = submit(client, world)
    stranger = app.test_client()
    token = csrf_token(stranger.get("/track").get_data(as_text=True))
    response = stranger.post(f"/d/{code}/withdraw", data={"csrf_token": token,
                                                          "reason": "phá"})
    assert response.status_code == 404
    forged = client.post(f"/d/{code}/withdraw", data={"reason": "không có token"})
    assert forged.status_code == 400
    assert _dossier(app, code)["status"] == "submitted"
