"""Counter kiosk (opened by an officer, then locked to the tablet) and feedback with answers."""

from __future__ import annotations

import io
import re
import uuid

from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.feedback.models import Counter, Feedback, KioskRating
from tests.factories.files import jpeg
from tests.factories.officers import sign_in
from tests.factories.pages import csrf_token
from tests.factories.world import World


def _open_kiosk(app: Flask, world: World) -> tuple[object, int]:
    """A receiving officer creates a counter, puts themself on duty with a photo and opens
    the kiosk on this "tablet" (the returned client)."""
    tablet = app.test_client()
    sign_in(app, tablet, "receiving.a")
    page = tablet.get("/officer/counters")
    assert page.status_code == 200 and page.data.count(b"<h1") == 1
    token = csrf_token(page.data)
    assert tablet.post("/officer/counters", data={"csrf_token": token,
                                                  "name": "Quầy 1 – Hộ tịch"}).status_code == 302
    with app.app_context():
        counter_id = db.session.scalar(select(Counter.id))
    response = tablet.post(f"/officer/counters/{counter_id}", data={
        "csrf_token": token, "officer": str(world.officers["receiving"]),
        "photo": (io.BytesIO(jpeg(120, 120)), "anh.jpg")}, content_type="multipart/form-data")
    assert response.status_code == 302
    response = tablet.post(f"/officer/counters/{counter_id}/kiosk", data={"csrf_token": token})
    assert response.status_code == 302
    assert "SameSite=Strict" in response.headers["Set-Cookie"]
    # The officer signs out; the tablet stays a kiosk.
    with tablet.session_transaction() as sess:
        sess.clear()
    return tablet, counter_id


def _count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(KioskRating))


def test_the_kiosk_needs_the_tablet_cookie_and_stores_each_tap_once(app, client, world):
    tablet, counter_id = _open_kiosk(app, world)
    page = tablet.get(f"/kiosk/{counter_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Cán bộ receiving" in html and "kiosk.js" in html
    assert page.headers["Cache-Control"] == "private, no-store"
    assert tablet.get(f"/kiosk/{counter_id}/photo").mimetype == "image/jpeg"
    assert client.get(f"/kiosk/{counter_id}").status_code == 403
    assert client.get(f"/kiosk/{counter_id}/photo").status_code == 403

    tap = {"uuid": str(uuid.uuid4()), "score": "satisfied", "officer_id":
           world.officers["receiving"], "at": "2026-01-05T02:00:00Z"}
    bad = {"uuid": str(uuid.uuid4()), "score": "excellent"}
    for _attempt in range(2):  # the answer was lost: the tablet sends its queue again
        answer = tablet.post(f"/kiosk/{counter_id}/ratings", json={"ratings": [tap, bad]})
        assert answer.status_code == 200
        assert set(answer.get_json()["done"]) == {tap["uuid"], bad["uuid"]}
    assert _count(app) == 1
    # Without the tablet's cookie nothing is stored.
    assert client.post(f"/kiosk/{counter_id}/ratings",
                       json={"ratings": [dict(tap, uuid=str(uuid.uuid4()))]}).status_code == 403
    # Without JavaScript: the form posts one tap and shows the thanks screen.
    visit = re.search(r'name="visit" value="([^"]+)"', html).group(1)
    done = tablet.post(f"/kiosk/{counter_id}/rate", data={"visit": visit, "score": "neutral"})
    assert done.status_code == 302
    assert "Cảm ơn" in tablet.get(done.headers["Location"]).get_data(as_text=True)
    tablet.post(f"/kiosk/{counter_id}/rate", data={"visit": visit, "score": "neutral"})
    assert _count(app) == 2
    with app.app_context():
        assert set(db.session.scalars(select(KioskRating.officer_id))) == {
            world.officers["receiving"]}


def test_locking_out_old_tablets(app, world):
    tablet, counter_id = _open_kiosk(app, world)
    admin = app.test_client()
    sign_in(app, admin, "commune_admin.a")
    token = csrf_token(admin.get("/officer/counters").data)
    assert admin.post(f"/officer/counters/{counter_id}/lock-out",
                      data={"csrf_token": token}).status_code == 302
    assert tablet.get(f"/kiosk/{counter_id}").status_code == 403
    outsider = app.test_client()
    sign_in(app, outsider, "receiving.b")
    assert outsider.post(f"/officer/counters/{counter_id}/kiosk",
                         data={"csrf_token": token}).status_code in (400, 404)


def test_feedback_anonymous_with_photo_answered_and_made_public(app, client, world):
    form = client.get(f"/feedback/new?agency={world.agency_slug}")
    assert form.status_code == 200 and form.data.count(b"<h1") == 1
    sent = client.post("/feedback/new", data={
        "csrf_token": csrf_token(form.data), "agency": world.agency_slug, "about": "hall",
        "message": "Ghế chờ ở sảnh bị hỏng", "photo": (io.BytesIO(jpeg()), "ghe.jpg")},
        content_type="multipart/form-data")
    assert sent.status_code == 200 and "Đã gửi" in sent.get_data(as_text=True)
    with app.app_context():
        item = db.session.scalar(select(Feedback))
        assert (item.sender_name, item.sender_phone, item.photo_type) == ("", "", "image/jpeg")
        feedback_id = item.id
    village = f"/v/{world.village_code}"
    assert "Ghế chờ" not in client.get(village).get_data(as_text=True)

    desk = app.test_client()
    sign_in(app, desk, "receiving.a")
    assert "Ghế chờ" in desk.get("/officer/feedback").get_data(as_text=True)
    token = csrf_token(desk.get("/officer/counters").data)
    assert desk.post(f"/officer/feedback/{feedback_id}", data={
        "csrf_token": token, "answer": "x"}).status_code == 403
    assert desk.get(f"/officer/feedback/{feedback_id}/photo").mimetype == "image/jpeg"
    other = app.test_client()
    sign_in(app, other, "receiving.b")
    assert other.get(f"/officer/feedback/{feedback_id}").status_code == 404

    leader = app.test_client()
    sign_in(app, leader, "leader.a")
    page = leader.get(f"/officer/feedback/{feedback_id}")
    assert leader.post(f"/officer/feedback/{feedback_id}", data={
        "csrf_token": csrf_token(page.data), "answer": "Xã đã thay ghế mới.",
        "public": "1"}).status_code == 302
    html = client.get(village).get_data(as_text=True)
    assert "Ghế chờ ở sảnh bị hỏng" in html and "Xã đã thay ghế mới." in html


def test_feedback_form_errors(client, world):
    form = client.get("/feedback/new")
    response = client.post("/feedback/new", data={"csrf_token": csrf_token(form.data),
                                                  "phone": "123"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Vui lòng chọn xã" in html and "Số điện thoại chưa đúng" in html
