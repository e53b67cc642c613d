"""Officer sign-in: throttled guessing without lock-out, TOTP for admins, no replay, sign-out
that ends the session on the server, safe `next` targets."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pyotp
import pytest
from sqlalchemy import select

from app.accounts.models import Officer
from app.accounts.services import create_officer
from app.extensions import db
from app.places.models import Agency
from tests.factories.apps import make_app
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
    # The sign-in lands on the work itself, the inbox, not on a page of links.
    assert response.headers["Location"] == "/officer/inbox"
    inbox = client.get("/officer/inbox").get_data(as_text=True)
    assert "Nguyễn Văn Tiếp" in inbox and "Hồ sơ của Xã Thử" in inbox


def test_wrong_password_gets_a_generic_message(client, officers):
    response = _post_login(client, "tiepnhan.thu", "sai-mat-khau")
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.get_data(as_text=True)
    assert _post_login(client, "khong.ai", "x").status_code == 401


def _post_login_from(client, address, username, password):
    client.environ_base["REMOTE_ADDR"] = address  # this browser's requests come from there
    return _post_login(client, username, password)


class Clock:
    def __init__(self):
        self.now = datetime.now(UTC)

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    """The throttle's time, moved forward by the test instead of waited for."""
    from app.accounts import throttle

    fake = Clock()
    monkeypatch.setattr(throttle, "clock", fake)
    return fake


TOO_MANY = "Bạn đã thử đăng nhập quá nhiều lần"


def test_an_outsider_guessing_cannot_lock_the_officer_out(app, officers, clock):
    attacker, officer = app.test_client(), app.test_client()
    for _ in range(8):
        _post_login_from(attacker, "203.0.113.9", "tiepnhan.thu", "sai-mat-khau")
    # The guesser is slowed down, even with the right password...
    slowed = _post_login_from(attacker, "203.0.113.9", "tiepnhan.thu", PASSWORD)
    assert slowed.status_code == 429
    assert TOO_MANY in slowed.get_data(as_text=True)
    # ...but the officer at their own desk (a source with no failures) gets straight in.
    assert _post_login_from(officer, "10.0.0.7", "tiepnhan.thu", PASSWORD).status_code == 302


def test_delays_grow_and_pass(app, officers, clock):
    from app.accounts.throttle import LoginThrottle, delay_after

    assert [delay_after(n).total_seconds() for n in (1, 4, 5, 6, 7, 10)] == [0, 0, 1, 2, 4, 32]
    assert delay_after(30).total_seconds() == delay_after(500).total_seconds() == 900
    client = app.test_client()
    for _ in range(5):
        assert _post_login_from(client, "203.0.113.9", "tiepnhan.thu", "sai").status_code == 401
    with app.app_context():
        rows = {r.key: r.failures for r in db.session.scalars(select(LoginThrottle))}
    assert rows == {"account:tiepnhan.thu": 5, "source:203.0.113.9": 5}
    assert _post_login_from(client, "203.0.113.9", "tiepnhan.thu", PASSWORD).status_code == 429
    clock.advance(1)  # the one-second delay has passed: one more wrong guess, then two seconds
    assert _post_login_from(client, "203.0.113.9", "tiepnhan.thu", "sai").status_code == 401
    clock.advance(1.5)
    assert _post_login_from(client, "203.0.113.9", "tiepnhan.thu", PASSWORD).status_code == 429
    clock.advance(0.5)
    assert _post_login_from(client, "203.0.113.9", "tiepnhan.thu", PASSWORD).status_code == 302
    with app.app_context():  # a long run of guesses: the wait tops out at fifteen minutes
        db.session.get(LoginThrottle, "source:203.0.113.9").failures = 40
        db.session.commit()
    assert _post_login_from(client, "203.0.113.9", "khong.co.ai", "sai").status_code == 401
    clock.advance(899)
    refused = _post_login_from(client, "203.0.113.9", "khong.co.ai", "sai")
    assert refused.status_code == 429
    assert "Vui lòng thử lại sau 1 phút" in refused.get_data(as_text=True)
    clock.advance(3600)  # an hour without failures: forgotten, five free tries again
    for _ in range(5):
        assert _post_login_from(client, "203.0.113.9", "khong.co.ai", "sai").status_code == 401
    assert _post_login_from(client, "203.0.113.9", "khong.co.ai", "sai").status_code == 429


def test_a_throttled_source_is_refused_whatever_name_it_tries(app, officers, clock):
    client = app.test_client()
    for name in ("a.thu", "b.thu", "c.thu", "d.thu", "e.thu"):
        _post_login_from(client, "203.0.113.9", name, "sai-mat-khau")
    assert _post_login_from(client, "203.0.113.9", "tiepnhan.thu", PASSWORD).status_code == 429
    assert _post_login_from(app.test_client(), "10.0.0.7", "tiepnhan.thu",
                            PASSWORD).status_code == 302


def _answers(app, clock, username):
    """Every answer the sign-in page gives one name over a run of guesses."""
    client = app.test_client()
    return [(r.status_code, r.get_data(as_text=True).split("<main", 1)[1].replace(username, "…"))
            for r in (_post_login_from(client, "203.0.113.9", username, "sai-mat-khau")
                      for _ in range(7))]


def test_unknown_and_real_names_get_the_same_answers(app, officers, clock):
    real = _answers(app, clock, "tiepnhan.thu")
    clock.advance(2 * 3600)  # everything forgotten
    made_up = _answers(app, clock, "khong.co.ai")
    strip = re.compile(r'name="csrf_token" value="[^"]+"')
    assert [(s, strip.sub("", b)) for s, b in real] == [(s, strip.sub("", b)) for s, b in made_up]
    assert [s for s, _b in real] == [401] * 5 + [429] * 2
    assert "tạm khoá" not in "".join(b for _s, b in real)


def test_unknown_and_real_names_cost_one_argon2_check_each(app, officers, monkeypatch):
    from app.accounts import passwords

    calls = []

    class CountingHasher:
        """The real argon2 hasher, counting its verifications."""

        def __init__(self, real):
            self.real = real

        def verify(self, hash_, password):
            calls.append(hash_)
            return self.real.verify(hash_, password)

        def __getattr__(self, name):
            return getattr(self.real, name)

    monkeypatch.setattr(passwords, "_hasher", CountingHasher(passwords._hasher))
    client = app.test_client()
    for name in ("tiepnhan.thu", "khong.co.ai"):
        calls.clear()
        assert _post_login_from(client, "10.0.0.1", name, "sai-mat-khau").status_code == 401
        assert len(calls) == 1, name
        assert calls[0].startswith("$argon2id$"), name
    with app.app_context():  # a disabled account is checked like an unknown one
        db.session.scalar(select(Officer).where(Officer.username == "tiepnhan.thu")).active = False
        db.session.commit()
    calls.clear()
    assert _post_login_from(client, "10.0.0.2", "tiepnhan.thu", PASSWORD).status_code == 401
    assert len(calls) == 1


def test_the_officer_hears_of_failed_attempts_at_the_next_sign_in(app, officers):
    attacker = app.test_client()
    for _ in range(3):
        _post_login_from(attacker, "203.0.113.9", "  TiepNhan.Thu ", "sai-mat-khau")
    officer = app.test_client()
    signed_in = _post_login_from(officer, "10.0.0.7", "tiepnhan.thu", PASSWORD)
    assert signed_in.status_code == 302
    html = officer.get(signed_in.headers["Location"]).get_data(as_text=True)
    assert "Có 3 lần đăng nhập sai vào tài khoản của bạn" in html
    assert re.search(r"lần cuối lúc \d\d:\d\d \d\d/\d\d/\d{4}", html)
    # Told once: the next sign-in is quiet.
    again = app.test_client()
    _post_login_from(again, "10.0.0.7", "tiepnhan.thu", PASSWORD)
    assert "lần đăng nhập sai" not in again.get("/officer/inbox").get_data(as_text=True)


@pytest.mark.committed  # a second app process reads what this one wrote
def test_throttle_counts_are_shared_by_every_app_process(app, officers, tmp_path, clock):
    other_process = make_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "other",
                             SECRET_KEY=app.config["SECRET_KEY"])
    for index in range(5):
        serving = app if index % 2 else other_process
        _post_login_from(serving.test_client(), "203.0.113.9", "tiepnhan.thu", "sai")
    assert _post_login_from(app.test_client(), "203.0.113.9", "tiepnhan.thu",
                            PASSWORD).status_code == 429


def test_admin_needs_totp_and_a_code_cannot_be_replayed(app, client, officers):
    first = _post_login(client, "quantri.thu", PASSWORD)
    assert first.headers["Location"].endswith("/officer/login/totp")
    assert client.get("/officer/inbox").status_code == 302  # not signed in yet
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
    assert ok.headers["Location"] == "/officer/inbox"
    assert client.get("/officer/inbox").status_code == 200
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
    assert done.headers["Location"] == "/officer/inbox"
    assert _officer(app, "quantri.thu").totp_secret == secret


def _sign_in_admin(app, client):
    assert _post_login(client, "quantri.thu", PASSWORD).status_code == 302
    page = client.get("/officer/login/totp")
    code = pyotp.TOTP(_officer(app, "quantri.thu").totp_secret).now()
    done = client.post("/officer/login/totp", data={"csrf_token": csrf_token(page.data),
                                                     "code": code})
    assert done.status_code == 302


@pytest.mark.committed  # a second app process reads what this one wrote
def test_a_cookie_copied_before_sign_out_opens_nothing_after(app, client, officers, tmp_path):
    _sign_in_admin(app, client)
    assert client.get("/officer/inbox").status_code == 200
    assert client.get("/officer/audit.csv").status_code == 200
    copied = client.get_cookie("session").value
    home = client.get("/officer/account")
    assert client.post("/officer/logout",
                       data={"csrf_token": csrf_token(home.data)}).status_code == 302
    # Replayed from the same address and browser, on this process and on another one.
    other_process = make_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "other",
                             SECRET_KEY=app.config["SECRET_KEY"])
    for replaying_app in (app, other_process):
        thief = replaying_app.test_client()
        thief.set_cookie("session", copied)
        for path in ("/officer/inbox", "/officer/audit.csv", "/officer/account"):
            response = thief.get(path)
            assert response.status_code == 302, path
            assert urlsplit(response.headers["Location"]).path == "/officer/login", path


@pytest.mark.committed  # a second app process reads what this one wrote
def test_a_copied_cookie_works_until_sign_out_on_another_process(app, client, officers,
                                                                 tmp_path):
    _post_login(client, "tiepnhan.thu", PASSWORD)
    other_process = make_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "other",
                             SECRET_KEY=app.config["SECRET_KEY"])
    second = other_process.test_client()
    second.set_cookie("session", client.get_cookie("session").value)
    assert second.get("/officer/inbox").status_code == 200
    page = second.get("/officer/account")
    second.post("/officer/logout", data={"csrf_token": csrf_token(page.data)})
    assert client.get("/officer/inbox").status_code == 302  # ended there, refused here


def test_log_out_everywhere_ends_other_sessions(app, client, officers):
    other = app.test_client()
    _post_login(client, "tiepnhan.thu", PASSWORD)
    _post_login(other, "tiepnhan.thu", PASSWORD)
    assert other.get("/officer/account").status_code == 200
    page = client.get("/officer/account")
    client.post("/officer/logout-everywhere", data={"csrf_token": csrf_token(page.data)})
    assert other.get("/officer/account").status_code == 302
    assert client.get("/officer/account").status_code == 302


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


@pytest.mark.parametrize("target", ["/\t/evil.example", "/%09/evil.example", "/\n/evil",
                                    "/\r\n/evil", "%0d%0aSet-Cookie:x", "//evil", "/\\evil",
                                    "/ /evil", "https://evil", "javascript:alert(1)"])
def test_sign_in_refuses_a_next_off_this_site(client, officers, target):
    page = client.get("/officer/login", query_string={"next": target})
    assert page.status_code == 200
    response = client.post("/officer/login", query_string={"next": target}, data={
        "csrf_token": csrf_token(page.data), "username": "tiepnhan.thu", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/officer/inbox"


def test_sign_in_keeps_a_next_on_this_site(client, officers):
    page = client.get("/officer/login")
    response = client.post("/officer/login", query_string={"next": "/officer/inbox?queue=all"},
                           data={"csrf_token": csrf_token(page.data), "username": "tiepnhan.thu",
                                 "password": PASSWORD})
    assert response.headers["Location"] == "/officer/inbox?queue=all"


def test_the_staff_index_opens_the_inbox(client, officers):
    assert urlsplit(client.get("/officer/").headers["Location"]).path == "/officer/login"
    _post_login(client, "tiepnhan.thu", PASSWORD)
    index = client.get("/officer/")
    assert index.status_code == 302
    assert index.headers["Location"] == "/officer/inbox"
    # The officer's own page (security, sign-out) stays one link away, in the nav.
    account = client.get("/officer/account").get_data(as_text=True)
    assert "Đăng xuất trên mọi thiết bị" in account
    assert 'href="/officer/account"' in client.get("/officer/inbox").get_data(as_text=True)


@pytest.mark.parametrize(("asked", "lands"), [
    ("/officer/dossiers/000.00.00.T01-260310-0001", "/officer/dossiers/000.00.00.T01-260310-0001"),
    ("//evil.example/officer", "/officer/inbox"),
    (None, "/officer/inbox"),
])
def test_password_then_totp_lands_on_the_asked_page_or_the_inbox(app, client, officers,
                                                                 asked, lands):
    query = {"next": asked} if asked else {}
    page = client.get("/officer/login", query_string=query)
    first = client.post("/officer/login", query_string=query, data={
        "csrf_token": csrf_token(page.data), "username": "quantri.thu", "password": PASSWORD})
    assert first.headers["Location"] == "/officer/login/totp"
    page = client.get("/officer/login/totp")
    done = client.post("/officer/login/totp", data={
        "csrf_token": csrf_token(page.data),
        "code": pyotp.TOTP(_officer(app, "quantri.thu").totp_secret).now()})
    assert done.status_code == 302
    assert done.headers["Location"] == lands
