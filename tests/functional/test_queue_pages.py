"""Queue numbers over HTTP: a villager takes a number on the phone and follows it, the desk
calls, recalls, transfers, serves and receives the dossier, and prints a number for someone
without a phone."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.dossiers.models import Dossier
from app.extensions import db
from app.queues.models import Ticket
from tests import factories as f
from tests.factories.pages import csrf_token
from tests.factories.queues import make_desk, open_all_day


@pytest.fixture
def hall(app: Flask) -> dict[str, Any]:
    with app.app_context():
        desk = make_desk(slug="tanhong", code="000.31.12.H26")
        open_all_day(desk.agency_id)
        from app.places.models import Agency

        home = db.session.get(Agency, desk.agency_id)
        assert home is not None
        f.procedure([home])
        officer = f.officer(home, "receiving").username
        other = f.agency("vanhung", "Xã Vạn Hưng", "000.25.28.H34")
        outsider = f.officer(other, "receiving").username
        db.session.commit()
        return {"desk": desk, "officer": officer, "outsider": outsider}


def _take(client: Any, queue_id: int, reason: str = "") -> str:
    """Take a number from the commune's page; the ticket page's path."""
    page = client.get("/q/tanhong")
    response = client.post("/q/tanhong", data={"csrf_token": csrf_token(page.data),
                                               "queue": queue_id, "priority_reason": reason})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    return str(response.headers["Location"])


def test_a_villager_takes_a_number_and_the_page_says_who_is_ahead(app, hall) -> None:
    civil = hall["desk"].civil
    assert "Lấy số thứ tự tại bộ phận một cửa" in app.test_client().get(
        "/v/tanhong-thon1").get_data(as_text=True)
    listing = app.test_client().get("/q/tanhong").get_data(as_text=True)
    assert "Hộ tịch" in listing and "Chứng thực" in listing
    first = _take(app.test_client(), civil)
    second = _take(app.test_client(), civil)
    assert re.fullmatch(r"/q/t/[\w.-]+", first)
    page = app.test_client().get(second)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "A002" in html and "Còn 1 người trước bạn." in html
    # No proxy keeps a ticket; the phone's service worker may (readable offline).
    assert page.headers["Cache-Control"] == "private, no-cache"
    assert "Chưa có số liệu hôm nay để ước tính thời gian chờ." in html
    assert "Bạn là người tiếp theo." in app.test_client().get(first).get_data(as_text=True)
    # An elderly villager's priority number goes ahead of both.
    priority = _take(app.test_client(), civil, reason="elderly")
    html = app.test_client().get(priority).get_data(as_text=True)
    assert "A003" in html and "Người cao tuổi" in html and "Bạn là người tiếp theo." in html
    assert "Còn 2 người trước bạn." in app.test_client().get(second).get_data(as_text=True)


def test_a_ticket_link_cannot_be_guessed_or_altered(app, hall) -> None:
    path = _take(app.test_client(), hall["desk"].civil)
    # One letter of the signature changed (not the last: its low bits are only padding).
    altered = path[:-5] + ("A" if path[-5] != "A" else "B") + path[-4:]
    assert app.test_client().get(altered).status_code == 404
    assert app.test_client().get("/q/t/1").status_code == 404


def test_the_holder_cancels_and_the_next_one_moves_up(app, hall) -> None:
    client = app.test_client()
    first = _take(client, hall["desk"].civil)
    second = _take(client, hall["desk"].civil)
    page = client.get(first)
    response = client.post(first + "/cancel", data={"csrf_token": csrf_token(page.data)})
    assert response.status_code == 303
    assert "Bạn đã huỷ số này." in client.get(first).get_data(as_text=True)
    assert "Bạn là người tiếp theo." in client.get(second).get_data(as_text=True)


def test_taking_a_number_needs_the_forms_token(app, hall) -> None:
    response = app.test_client().post("/q/tanhong", data={"queue": hall["desk"].civil})
    assert response.status_code == 400


def test_taking_numbers_is_rate_limited_per_address(app, hall) -> None:
    client = app.test_client()
    token = csrf_token(client.get("/q/tanhong").data)
    codes = [client.post("/q/tanhong", data={"csrf_token": token,
                                             "queue": hall["desk"].civil}).status_code
             for _ in range(11)]
    assert codes == [303] * 10 + [429]


def _desk_form(client: Any, counter_id: int) -> str:
    page = client.get(f"/officer/queue?counter={counter_id}")
    assert page.status_code == 200
    return csrf_token(page.data)


def test_the_desk_calls_recalls_skips_and_serves_then_receives_the_dossier(app, hall) -> None:
    desk = hall["desk"]
    villager = app.test_client()
    ticket_path = _take(villager, desk.civil)
    officer = f.signed_in(app, hall["officer"])
    counter = desk.counters[0]
    token = _desk_form(officer, counter)
    called = officer.post("/officer/queue/call", data={
        "csrf_token": token, "counter": counter, "queue": desk.civil}, follow_redirects=True)
    html = called.get_data(as_text=True)
    assert "Đã gọi số A001 đến Quầy 1." in html and "Đang phục vụ: số A001" in html
    assert "Mời bạn đến Quầy 1." in villager.get(ticket_path).get_data(as_text=True)
    with app.app_context():
        ticket_id = db.session.scalar(select(Ticket.id))
    # Skipping is offered only after the third call.
    assert "Vắng mặt – bỏ qua" not in html
    for _ in range(2):
        html = officer.post(f"/officer/queue/tickets/{ticket_id}/recall",
                            data={"csrf_token": token}, follow_redirects=True
                            ).get_data(as_text=True)
    assert "Đã gọi 3 lần" in html and "Vắng mặt – bỏ qua" in html
    served = officer.post(f"/officer/queue/tickets/{ticket_id}/served",
                          data={"csrf_token": token})
    assert served.status_code == 303
    assert served.headers["Location"] == f"/officer/counter/new?ticket={ticket_id}"
    intake = officer.get(served.headers["Location"]).get_data(as_text=True)
    assert "Hồ sơ của người giữ số A001." in intake
    with app.app_context():
        procedure_id = db.session.scalar(select(Dossier.procedure_id)) or _procedure_id()
    key = re.search(r'name="idempotency_key" value="([^"]+)"', intake)
    assert key
    received = officer.post("/officer/counter/new", data={
        "csrf_token": csrf_token(intake), "idempotency_key": key.group(1), "ticket": ticket_id,
        "procedure": procedure_id, "applicant_name": "Nguyễn Thị Lan",
        "citizen_id": "001190123456", "phone": "0912345678", "address": "Thôn Một"})
    assert received.status_code == 302, received.get_data(as_text=True)[:400]
    with app.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        assert ticket is not None and ticket.state == "served"
        dossier = db.session.get(Dossier, ticket.dossier_id)
        assert dossier is not None and dossier.applicant_name == "Nguyễn Thị Lan"
    assert "Bạn đã được phục vụ. Cảm ơn bạn." in villager.get(ticket_path).get_data(
        as_text=True)
    # The day's figures on the counter's page: one served in the civil-status line.
    figures = officer.get(f"/officer/queue?counter={counter}").get_data(as_text=True)
    assert '<th scope="row">Hộ tịch</th><td>1</td><td>0</td>' in figures
    assert '<th scope="row">Quầy 1</th><td>1</td><td>0</td>' in figures


def _procedure_id() -> int:
    from app.procedures.models import Procedure

    found = db.session.scalar(select(Procedure.id))
    assert found is not None
    return found


def test_the_desk_transfers_a_call_to_another_counter_or_group(app, hall) -> None:
    desk = hall["desk"]
    villager = app.test_client()
    path = _take(villager, desk.civil)
    officer = f.signed_in(app, hall["officer"])
    token = _desk_form(officer, desk.counters[0])
    officer.post("/officer/queue/call", data={"csrf_token": token, "counter": desk.counters[0],
                                              "queue": desk.civil})
    with app.app_context():
        ticket_id = db.session.scalar(select(Ticket.id))
    officer.post(f"/officer/queue/tickets/{ticket_id}/to-counter",
                 data={"csrf_token": token, "target": desk.counters[1]})
    assert "Mời bạn đến Quầy 2." in villager.get(path).get_data(as_text=True)
    officer.post(f"/officer/queue/tickets/{ticket_id}/to-queue",
                 data={"csrf_token": token, "target": desk.notary})
    html = villager.get(path).get_data(as_text=True)
    assert "A001" in html and "Chứng thực" in html and "Bạn là người tiếp theo." in html


def test_the_desk_prints_a_number_for_someone_without_a_phone(app, hall) -> None:
    officer = f.signed_in(app, hall["officer"])
    token = _desk_form(officer, hall["desk"].counters[0])
    response = officer.post("/officer/queue/take", data={
        "csrf_token": token, "queue": hall["desk"].notary})
    assert response.status_code == 303
    printout = officer.get(response.headers["Location"])
    html = printout.get_data(as_text=True)
    assert printout.status_code == 200 and "B001" in html and "In phiếu" in html
    assert printout.headers["Cache-Control"] == "private, no-store"
    with app.app_context():
        assert db.session.scalar(select(Ticket.channel)) == "desk"


def test_another_communes_officer_cannot_touch_the_queue(app, hall) -> None:
    desk = hall["desk"]
    _take(app.test_client(), desk.civil)
    outsider = f.signed_in(app, hall["outsider"])
    token = csrf_token(outsider.get("/officer/counter/new").data)
    assert outsider.post("/officer/queue/call", data={
        "csrf_token": token, "counter": desk.counters[0], "queue": desk.civil}
    ).status_code == 404
    with app.app_context():
        ticket_id = db.session.scalar(select(Ticket.id))
    for move in ("recall", "served", "no-show"):
        assert outsider.post(f"/officer/queue/tickets/{ticket_id}/{move}",
                             data={"csrf_token": token}).status_code == 404
    assert outsider.get(f"/officer/queue/tickets/{ticket_id}/print").status_code == 404


def test_the_api_gives_the_lines_the_ticket_and_the_hall_calls(app, hall) -> None:
    desk = hall["desk"]
    client = app.test_client()
    path = _take(client, desk.civil)
    _take(client, desk.civil)
    lines = client.get("/api/v1/queues/tanhong").get_json()
    assert [(q["prefix"], q["name"], q["waiting"]) for q in lines["queues"]] == [
        ("A", "Hộ tịch", 2), ("B", "Chứng thực", 0)]
    token = path.rsplit("/", 1)[1]
    ticket = client.get(f"/api/v1/tickets/{token}").get_json()
    assert ticket == {"label": "A001", "queue": "Hộ tịch", "commune": "Xã Hàng Chờ",
                      "day": lines["day"], "state": "waiting", "lane": "normal",
                      "ahead": 0, "wait_minutes": None, "counter": None}
    assert client.get("/api/v1/tickets/not-a-ticket").status_code == 404
    officer = f.signed_in(app, hall["officer"])
    officer.post("/officer/queue/call", data={
        "csrf_token": _desk_form(officer, desk.counters[1]), "counter": desk.counters[1],
        "queue": desk.civil})
    calls = client.get("/api/v1/displays/tanhong").get_json()["calls"]
    assert [(c["counter"], c["label"], c["calls"]) for c in calls] == [("Quầy 2", "A001", 1)]
    assert client.get("/api/v1/displays/no-such-commune").status_code == 404


def test_the_hall_screens_poll_is_a_304_until_a_call_changes_it(app, hall) -> None:
    desk = hall["desk"]
    screen = app.test_client()
    _take(app.test_client(), desk.civil)
    first = screen.get("/display/tanhong/calls.json")
    assert first.get_json() == {"calls": []} and first.headers["Cache-Control"] == "no-cache"
    etag = first.headers["ETag"]
    again = screen.get("/display/tanhong/calls.json", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    officer = f.signed_in(app, hall["officer"])
    officer.post("/officer/queue/call", data={
        "csrf_token": _desk_form(officer, desk.counters[0]), "counter": desk.counters[0],
        "queue": desk.civil})
    changed = screen.get("/display/tanhong/calls.json", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert [c["label"] for c in changed.get_json()["calls"]] == ["A001"]


def test_the_commune_sets_up_its_lines(app, hall) -> None:
    with app.app_context():
        from app.places.models import Agency

        home = db.session.get(Agency, hall["desk"].agency_id)
        assert home is not None
        leader = f.officer(home, "leader").username
        specialist = f.officer(home, "specialist").username
        db.session.commit()
    manager = f.signed_in(app, leader)
    page = manager.get("/officer/queue/lines")
    token = csrf_token(page.data)
    added = manager.post("/officer/queue/lines", data={
        "csrf_token": token, "prefix": "d", "name": "  Đất   đai ", "priority_lane": "on"})
    assert added.status_code == 303
    twice = manager.post("/officer/queue/lines", data={
        "csrf_token": token, "prefix": "D", "name": "Đất đai 2"})
    assert twice.status_code == 422
    assert "Xã đã có hàng chờ ký hiệu D." in twice.get_data(as_text=True)
    with app.app_context():
        from app.queues.models import ServiceQueue

        land = db.session.scalar(select(ServiceQueue).where(ServiceQueue.prefix == "D"))
        assert land is not None and (land.name, land.priority_lane) == ("Đất đai", True)
        land_id = land.id
    # Paused: the villagers' page no longer offers it, the number cannot be taken.
    manager.post(f"/officer/queue/lines/{land_id}", data={
        "csrf_token": token, "prefix": "D", "name": "Đất đai"})
    assert "Đất đai" not in app.test_client().get("/q/tanhong").get_data(as_text=True)
    villager = app.test_client()
    refused = villager.post("/q/tanhong", data={
        "csrf_token": csrf_token(villager.get("/q/tanhong").data), "queue": land_id})
    assert refused.status_code == 404
    # Those who manage the counters set up the lines; a specialist does neither.
    assert f.signed_in(app, specialist).get("/officer/queue/lines").status_code == 403


def test_a_number_of_a_past_day_reads_expired(app, hall) -> None:
    from datetime import timedelta

    from app.core.vntime import vietnam_today

    path = _take(app.test_client(), hall["desk"].civil)
    app.config["VIETNAM_TODAY"] = vietnam_today() + timedelta(days=1)
    html = app.test_client().get(path).get_data(as_text=True)
    assert "Số này đã hết hạn." in html and "Huỷ số" not in html
