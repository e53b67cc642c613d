"""Citizen sign-in over real HTTP against a real OpenID provider (tests/oidc/provider.mjs):
the happy path, prefill, "my dossiers", saving guest dossiers with and without proof, and
the protocol-level refusals (wrong state, replayed code, wrong PKCE verifier)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from flask import Flask
from sqlalchemy import select

from app.citizens.models import Citizen
from app.dossiers.models import Dossier
from app.extensions import db
from tests.factories.files import jpeg
from tests.factories.pages import csrf_token
from tests.factories.world import PROCEDURE, World, form_fields, submit
from tests.oidc_fixture import OidcProvider, provider_callback_url

LAN_ID = "001190012345"  # the provider's test citizen (tests/oidc/provider.mjs)


@pytest.fixture(autouse=True)
def _provider(oidc_env: OidcProvider, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every app in this module signs citizens in at the test provider, and officers too
    (the same provider plays the staff one)."""
    monkeypatch.setenv("OIDC_STAFF_ISSUER", oidc_env.issuer)
    monkeypatch.setenv("OIDC_STAFF_CLIENT_ID", oidc_env.client_id)
    monkeypatch.setenv("OIDC_STAFF_CLIENT_SECRET", oidc_env.client_secret)


@pytest.fixture
def http() -> Any:
    with requests.Session() as session:
        yield session


def sign_in(http: requests.Session, server: str, start: str = "/login") -> requests.Response:
    callback = provider_callback_url(http, server, start=start)
    return http.get(callback, timeout=30)


def dossier(app: Flask, code: str) -> Dossier:
    with app.app_context():
        found = db.session.scalar(select(Dossier).where(Dossier.code == code))
        db.session.expunge(found)
        return found


def test_sign_in_creates_the_account_from_userinfo(app: Flask, oidc_live_server: str,
                                                   http: requests.Session) -> None:
    landed = sign_in(http, oidc_live_server, "/login?next=/me/dossiers")
    assert landed.status_code == 200
    assert landed.url == oidc_live_server + "/me/dossiers"
    assert "Hồ sơ của tôi" in landed.text and "Nguyễn Thị Lan" in landed.text
    assert landed.headers["Cache-Control"] == "private, no-store"
    with app.app_context():
        citizen = db.session.scalar(select(Citizen))
        assert (citizen.subject, citizen.full_name, citizen.citizen_id_number, citizen.phone,
                citizen.birth_date.isoformat()) == ("citizen-lan", "Nguyễn Thị Lan", LAN_ID,
                                                    "0912345678", "1990-05-12")
        assert citizen.issuer.startswith("http://127.0.0.1:")
    # A second sign-in finds the same account: (issuer, subject) is the key.
    http.post(oidc_live_server + "/logout", data={"csrf_token": csrf_token(landed.text)},
              timeout=30)
    sign_in(http, oidc_live_server)
    with app.app_context():
        assert len(db.session.scalars(select(Citizen)).all()) == 1


def session_data(app: Flask, http: requests.Session) -> dict[str, Any]:
    serializer = app.session_interface.get_signing_serializer(app)
    return dict(serializer.loads(http.cookies["session"]))


def set_session(app: Flask, http: requests.Session, data: dict[str, Any]) -> None:
    value = app.session_interface.get_signing_serializer(app).dumps(data)
    for cookie in http.cookies:
        if cookie.name == "session":
            cookie.value = value


def test_apply_form_is_prefilled_and_the_dossier_saved_to_the_account(
        app: Flask, world: World, oidc_live_server: str, http: requests.Session) -> None:
    sign_in(http, oidc_live_server)
    form = http.get(f"{oidc_live_server}/procedures/{PROCEDURE}/apply", timeout=30)
    assert "được điền sẵn từ tài khoản định danh" in form.text
    for name, value in (("applicant_name", "Nguyễn Thị Lan"), ("citizen_id", LAN_ID),
                        ("birth_date", "1990-05-12"), ("phone", "0912345678")):
        assert re.search(f'name="{name}" type="[a-z]+" value="{value}"', form.text), name
    assert form.headers["Cache-Control"] == "private, no-store"  # personal now: never kept
    key = re.search(r'name="idempotency_key" value="([^"]+)"', form.text).group(1)
    data = form_fields(world, applicant_name="Nguyễn Thị Lan", citizen_id=LAN_ID,
                       birth_date="1990-05-12")
    data.update(csrf_token=csrf_token(form.text), idempotency_key=key)
    sent = http.post(f"{oidc_live_server}/procedures/{PROCEDURE}/apply", data=data,
                     files={f"doc-{world.required_doc}": ("a.jpg", jpeg(), "image/jpeg")},
                     timeout=30)
    code = re.search(r"/d/([^/]+)/submitted", sent.url).group(1)
    mine = http.get(oidc_live_server + "/me/dossiers", timeout=30)
    assert code in mine.text
    with app.app_context():
        owner = db.session.scalar(select(Citizen)).id
    assert dossier(app, code).citizen_account_id == owner


def test_guest_dossier_is_saved_only_with_proof(app: Flask, world: World, client: Any,
                                               oidc_live_server: str,
                                               http: requests.Session) -> None:
    code, secret = submit(client, world)  # a guest, another person's citizen ID
    mine = sign_in(http, oidc_live_server)
    token = csrf_token(mine.text)
    link = oidc_live_server + "/me/dossiers/link"
    # Code and phone alone are not proof (anyone who saw the receipt knows them) ...
    refused = http.post(link, data={"csrf_token": token, "code": code, "phone": "0912345678"},
                        timeout=30)
    assert refused.status_code == 422
    assert "không khớp" in refused.text
    # ... nor is a wrong tracking code, nor the right one with the wrong phone.
    for phone, given in (("0912345678", "x" * 43), ("0987654321", secret)):
        refused = http.post(link, data={"csrf_token": token, "code": code, "phone": phone,
                                        "t": given}, timeout=30)
        assert refused.status_code == 422
    # Opening the dossier without its link offers nothing to save, and a forged post fails.
    page = http.get(f"{oidc_live_server}/d/{code}", timeout=30)
    assert page.status_code == 404
    forged = http.post(link, data={"csrf_token": token, "code": code, "from": "dossier"},
                       timeout=30)
    assert forged.status_code == 422
    assert dossier(app, code).citizen_account_id is None
    assert code not in http.get(oidc_live_server + "/me/dossiers", timeout=30).text
    # The tracking link proves it: the dossier page offers "Lưu vào tài khoản".
    page = http.get(f"{oidc_live_server}/d/{code}?t={secret}", timeout=30)
    assert "Lưu vào tài khoản" in page.text
    saved = http.post(link, data={"csrf_token": csrf_token(page.text), "code": code,
                                  "t": secret, "from": "dossier"}, timeout=30)
    assert saved.url == oidc_live_server + "/me/dossiers"
    assert code in saved.text and "Đã lưu hồ sơ" in saved.text
    assert dossier(app, code).citizen_account_id is not None
    # Saved: the owner opens it from any device without the secret.
    with requests.Session() as other_device:
        sign_in(other_device, oidc_live_server)
        assert other_device.get(f"{oidc_live_server}/d/{code}", timeout=30).status_code == 200


def test_pasted_tracking_link_and_counter_receipt_are_proof(app: Flask, world: World,
                                                           client: Any, oidc_live_server: str,
                                                           http: requests.Session) -> None:
    by_link, secret = submit(client, world)
    # A counter-style proof: her own citizen ID (vouched for by the provider) and phone.
    by_receipt, _secret = submit(client, world, citizen_id=LAN_ID, birth_date="1990-05-12")
    token = csrf_token(sign_in(http, oidc_live_server).text)
    link = oidc_live_server + "/me/dossiers/link"
    http.post(link, data={"csrf_token": token, "code": by_link.lower(), "phone": "0912 345 678",
                          "t": f"{oidc_live_server}/d/{by_link}?t={secret}"}, timeout=30)
    http.post(link, data={"csrf_token": token, "code": by_receipt, "phone": "0912345678"},
              timeout=30)
    mine = http.get(oidc_live_server + "/me/dossiers", timeout=30).text
    assert by_link in mine and by_receipt in mine


def test_a_dossier_saved_to_one_account_is_not_taken_by_another(
        app: Flask, world: World, client: Any, oidc_live_server: str) -> None:
    code, secret = submit(client, world)
    with requests.Session() as first:
        token = csrf_token(sign_in(first, oidc_live_server).text)
        first.post(oidc_live_server + "/me/dossiers/link",
                   data={"csrf_token": token, "code": code, "t": secret, "from": "dossier"},
                   timeout=30)
    with requests.Session() as second:
        callback = provider_callback_url(second, oidc_live_server, login="someone-else")
        token = csrf_token(second.get(callback, timeout=30).text)
        taken = second.post(oidc_live_server + "/me/dossiers/link",
                            data={"csrf_token": token, "code": code, "t": secret,
                                  "from": "dossier"}, timeout=30)
        assert taken.status_code == 422 and "tài khoản khác" in taken.text


def test_wrong_state_is_refused_before_any_token_is_asked_for(
        app: Flask, oidc_live_server: str, http: requests.Session) -> None:
    callback = provider_callback_url(http, oidc_live_server)
    query = parse_qs(urlsplit(callback).query)
    forged = (f"{oidc_live_server}/auth/callback?code={query['code'][0]}&state=forged"
              f"&iss={query['iss'][0]}")
    refused = http.get(forged, timeout=30)
    assert refused.status_code == 400
    assert "không khớp với phiên làm việc" in refused.text
    # The state is single-use: the genuine callback after a failed one fails too.
    assert http.get(callback, timeout=30).status_code == 400
    assert "data-signed-in" not in http.get(oidc_live_server + "/", timeout=30).text
    with app.app_context():
        assert db.session.scalar(select(Citizen)) is None


def test_replayed_code_is_refused_by_the_provider(app: Flask, oidc_live_server: str,
                                                  http: requests.Session) -> None:
    callback = provider_callback_url(http, oidc_live_server)
    before = http.cookies.get("session", domain="127.0.0.1")
    assert http.get(callback, timeout=30).url.endswith("/me/dossiers")
    # An attacker replays the whole callback, session cookie included.
    with requests.Session() as attacker:
        attacker.cookies.set("session", before)
        replayed = attacker.get(callback, timeout=30)
        assert replayed.status_code == 400
        assert "đã được dùng" in replayed.text


def test_wrong_code_verifier_is_refused_by_the_provider(app: Flask, oidc_live_server: str,
                                                        http: requests.Session) -> None:
    callback = provider_callback_url(http, oidc_live_server)
    data = session_data(app, http)
    data["oidc_pending"]["verifier"] = "v" * 64  # not the one the challenge was made from
    set_session(app, http, data)
    refused = http.get(callback, timeout=30)
    assert refused.status_code == 400
    assert "Mã xác nhận đăng nhập không hợp lệ" in refused.text
    with app.app_context():
        assert db.session.scalar(select(Citizen)) is None


def test_logout_ends_the_session_and_clears_caches(app: Flask, oidc_live_server: str,
                                                   http: requests.Session) -> None:
    mine = sign_in(http, oidc_live_server)
    out = http.post(oidc_live_server + "/logout", data={"csrf_token": csrf_token(mine.text)},
                    allow_redirects=False, timeout=30)
    assert out.status_code == 302
    assert out.headers["Clear-Site-Data"] == '"cache"'
    assert out.headers["Cache-Control"] == "private, no-store"
    again = http.get(oidc_live_server + "/me/dossiers", allow_redirects=False, timeout=30)
    assert again.status_code == 302 and "/login" in again.headers["Location"]


def test_citizen_session_is_short(app: Flask, oidc_live_server: str,
                                  http: requests.Session) -> None:
    sign_in(http, oidc_live_server)
    data = session_data(app, http)
    data["citizen_signed_in_at"] -= 3 * 3600
    set_session(app, http, data)
    mine = http.get(oidc_live_server + "/me/dossiers", allow_redirects=False, timeout=30)
    assert mine.status_code == 302


def test_staff_provider_signs_in_existing_officers_only(app: Flask, world: World,
                                                       oidc_live_server: str) -> None:
    from app.accounts.models import Officer, Role

    with app.app_context():
        officer = Officer(username="sso.officer", full_name="Trần Văn Minh", password_hash="x",
                          role=Role.SPECIALIST.value, agency_id=db.session.get(
                              Officer, world.officers["receiving"]).agency_id)
        db.session.add(officer)
        db.session.commit()
        officer_id = officer.id
    login_page = requests.get(oidc_live_server + "/officer/login", timeout=30).text
    assert "Đăng nhập bằng tài khoản công vụ" in login_page
    with requests.Session() as staff:
        callback = provider_callback_url(staff, oidc_live_server, login="officer-sso",
                                         start="/officer/login/oidc")
        home = staff.get(callback, timeout=30)
        # It lands on the inbox (the nav names the officer), not on a page of links.
        assert home.url == oidc_live_server + "/officer/inbox"
        assert "Trần Văn Minh" in home.text
    with requests.Session() as staff:
        # A page asked for before signing in is where the sign-in ends.
        callback = provider_callback_url(staff, oidc_live_server, login="officer-sso",
                                         start="/officer/login/oidc?next=/officer/dashboard")
        assert staff.get(callback, timeout=30).url == oidc_live_server + "/officer/dashboard"
    # An admin still passes the TOTP step after the provider.
    with app.app_context():
        db.session.get(Officer, officer_id).role = Role.COMMUNE_ADMIN.value
        db.session.commit()
    with requests.Session() as staff:
        callback = provider_callback_url(staff, oidc_live_server, login="officer-sso",
                                         start="/officer/login/oidc")
        assert staff.get(callback, timeout=30).url.endswith("/officer/login/totp-setup")
        assert staff.get(oidc_live_server + "/officer/inbox", allow_redirects=False,
                         timeout=30).status_code == 302
    # Someone the provider knows but Motcua does not: refused, no account created.
    with app.app_context():
        count = len(db.session.scalars(select(Officer)).all())
    with requests.Session() as stranger:
        callback = provider_callback_url(stranger, oidc_live_server, login="stranger",
                                         start="/officer/login/oidc")
        refused = stranger.get(callback, timeout=30)
        assert refused.status_code == 403 and "chưa được cấp quyền" in refused.text
    with app.app_context():
        assert len(db.session.scalars(select(Officer)).all()) == count
