"""Officer sign-in: lock after repeated failures, TOTP for admins, no replay, sign-out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import select

from app.accounts.models import Officer
from app.accounts.services import create_officer
from app.extensions import db
from app.places.models import Agency
from tests.factories.pages import csrf_token

PASSWORD = "mat-khau-rat-dai-2026"


@pytest.fixture
def officers(app):
    with app.app_context():
        agency = Agency(code="000.00.00.T01", slug="thu", name="Xã Thử", kind="commune")
        db.session.add(agency)
        db.session.flush()
        create_officer(username="tiepnhan.thu", full_name="Nguyễn Văn Tiếp", password=PASSWORD,
                       role="receiving", agency_id=agency.id)
        create_officer(username="quantri.thu", full_name="Trần Thị Quản", password=PASSWORD,
                       role="commune_admin", agency_id=agency.id,
                       totp_secret=pyotp.random_base32())
        db.session.commit()


def _post_login(client, username, password):
    page = client.get("/officer/login")
    return client.post("/officer/login", data={
        "csrf_token": csrf_token(page.data), "username": username, "password": password})


def _officer(app, username):
    with app.app_context():
        return db.session.scalar(select(Officer).where(Officer.username == username))


def test_receiving_officer_signs_in_with_password(client, officers):
    response = _post_login(client, "tiepnhan.thu", PASSWORD)
    assert response.status_code == 302
    assert "Nguyễn Văn Tiếp" in client.get("/officer/").get_data(as_text=True)


def test_wrong_password_gets_a_generic_message(client, officers):
    response = _post_login(client, "tiepnhan.thu", "sai-mat-khau")
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.get_data(as_text=True)
    assert _post_login(client, "khong.ai", "x").status_code == 401


def test_lock_engages_after_five_failures_and_lifts_later(app, client, officers):
    for _ in range(5):
        _post_login(client, "tiepnhan.thu", "sai-mat-khau")
    locked = _post_login(client, "tiepnhan.thu", PASSWORD)
    assert locked.status_code == 401
    assert "tạm khoá" in locked.get_data(as_text=True)
    with app.app_context():  # fifteen minutes pass
        officer = db.session.scalar(select(Officer).where(Officer.username == "tiepnhan.thu"))
        officer.locked_until = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()
    assert _post_login(client, "tiepnhan.thu", PASSWORD).status_code == 302


def test_admin_needs_totp_and_a_code_cannot_be_replayed(app, client, officers):
    first = _post_login(client, "quantri.thu", PASSWORD)
    assert first.headers["Location"].endswith("/officer/login/totp")
    assert client.get("/officer/").status_code == 302  # not signed in yet
    secret = _officer(app, "quantri.thu").totp_secret
    code = pyotp.TOTP(secret).now()
    page = client.get("/officer/login/totp")
    wrong = client.post("/officer/login/totp", data={"csrf_token": csrf_token(page.data),
                                                      "code": "000000" if code != "000000"
                                                      else "111111"})
    assert wrong.status_code == 401
    ok = client.post("/officer/login/totp", data={"csrf_token": csrf_token(page.data),
                                                   "code": code})
    assert ok.status_code == 302
    assert client.get("/officer/").status_code == 200
    # Another browser that stole password and this code cannot reuse it.
    other = app.test_client()
    _post_login(other, "quantri.thu", PASSWORD)
    page = other.get("/officer/login/totp")
    replay = other.post("/officer/login/totp", data={"csrf_token": csrf_token(page.data),
                                                      "code": code})
    assert replay.status_code == 401


def test_admin_without_totp_must_enrol_before_entering(app, client, officers):
    with app.app_context():
        admin = db.session.scalar(select(Officer).where(Officer.username == "quantri.thu"))
        admin.totp_secret = None
        db.session.commit()
    response = _post_login(client, "quantri.thu", PASSWORD)
    assert response.headers["Location"].endswith("/officer/login/totp-setup")
    page = client.get("/officer/login/totp-setup")
    body = page.get_data(as_text=True)
    assert "<svg" in body
    secret = body.split("<code>")[1].split("</code>")[0]
    done = client.post("/officer/login/totp-setup", data={
        "csrf_token": csrf_token(body), "code": pyotp.TOTP(secret).now()})
    assert done.status_code == 302
    assert _officer(app, "quantri.thu").totp_secret == secret


def test_log_out_everywhere_ends_other_sessions(app, client, officers):
    other = app.test_client()
    _post_login(client, "tiepnhan.thu", PASSWORD)
    _post_login(other, "tiepnhan.thu", PASSWORD)
    assert other.get("/officer/").status_code == 200
    page = client.get("/officer/")
    client.post("/officer/logout-everywhere", data={"csrf_token": csrf_token(page.data)})
    assert other.get("/officer/").status_code == 302
    assert client.get("/officer/").status_code == 302


def test_login_form_refuses_posts_without_csrf_token(client, officers):
    response = client.post("/officer/login", data={"username": "tiepnhan.thu",
                                                    "password": PASSWORD})
    assert response.status_code == 400


def test_any_officer_can_turn_on_totp_and_then_needs_it(app, client, officers):
    _post_login(client, "tiepnhan.thu", PASSWORD)
    page = client.get("/officer/security")
    started = client.post("/officer/security", data={"csrf_token": csrf_token(page.data),
                                                      "step": "start"})
    body = started.get_data(as_text=True)
    assert "<svg" in body
    secret = body.split("<code>")[1].split("</code>")[0]
    wrong = client.post("/officer/security", data={"csrf_token": csrf_token(body),
                                                    "step": "confirm", "code": "12345"})
    assert wrong.status_code == 401
    done = client.post("/officer/security", data={"csrf_token": csrf_token(body),
                                                   "step": "confirm",
                                                   "code": pyotp.TOTP(secret).now()})
    assert done.status_code == 302
    assert _officer(app, "tiepnhan.thu").totp_secret == secret
    other = app.test_client()
    assert _post_login(other, "tiepnhan.thu", PASSWORD).headers["Location"].endswith(
        "/officer/login/totp")
