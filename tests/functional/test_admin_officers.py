"""Officers managed from the browser by their commune's admin: create with a one-time
password link, edit, change role, disable (every session ends, on every process) and enable,
reset the second factor; each change audited with before/after. The guards: no admin
disables themself, the last admin of a commune stays."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pyotp
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from app.accounts.models import Officer
from app.accounts.passwords import verify_password
from app.admin.models import PasswordLink
from app.backoffice.models import AuditEntry
from app.core.models import utcnow
from app.extensions import db
from app.places.models import Agency
from tests import factories as f
from tests.factories.apps import make_app

NEW_PASSWORD = "mot-mat-khau-moi-2026"


@pytest.fixture
def commune(app):
    with app.app_context():
        home = f.agency("tanhong", "Xã Tản Hồng", "000.31.12.H26")
        f.agency("vanhung", "Xã Vạn Hưng", "000.25.28.H34")
        admin = f.officer(home, "commune_admin")
        desk = f.officer(home, "receiving")
        db.session.commit()
        return {"admin": (admin.username, admin.totp_secret), "admin_id": admin.id,
                "desk": desk.username, "desk_id": desk.id, "agency_id": home.id}


def _admin(app, commune):
    return f.signed_in(app, *commune["admin"])


def _post(client, url, **data):
    page = client.get("/officer/account")
    return client.post(url, data={"csrf_token": f.csrf_token(page.data), **data})


def _audit(app, what):
    with app.app_context():
        return [(e.officer_id, e.subject_officer_id, e.agency_id, e.changes)
                for e in db.session.scalars(select(AuditEntry).where(AuditEntry.what == what)
                                            .order_by(AuditEntry.id))]


def _officer(app, username):
    with app.app_context():
        found = db.session.scalar(select(Officer).where(Officer.username == username))
        db.session.expunge(found)
        return found


def _link_of(response) -> str:
    match = re.search(r'value="(https?://[^"]+/officer/set-password/start\?token=[^"]+)"',
                      response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)[:800]
    return match.group(1).replace("&amp;", "&")


def _set_password(app, link, password=NEW_PASSWORD, confirmation=None):
    client = app.test_client()
    parts = urlsplit(link)
    started = client.get(f"{parts.path}?{parts.query}")
    page = client.get("/officer/set-password")
    if page.status_code != 200:
        return started, page
    done = client.post("/officer/set-password", data={
        "csrf_token": f.csrf_token(page.data), "password": password,
        "confirmation": password if confirmation is None else confirmation})
    return started, done


def test_admin_creates_an_officer_who_sets_a_password_through_a_one_time_link(
        app, commune, caplog):
    caplog.set_level(logging.DEBUG)
    admin = _admin(app, commune)
    form = admin.get("/admin/officers/new")
    assert "Cán bộ tiếp nhận (bộ phận một cửa)" in form.get_data(as_text=True)
    assert "Quản trị hệ thống" not in form.get_data(as_text=True)  # not a commune admin's to give
    created = admin.post("/admin/officers/new", data={
        "csrf_token": f.csrf_token(form.data), "full_name": "  Lê  Thị Hồng ",
        "username": "Hong.TanHong", "role": "specialist"})
    assert created.status_code == 200
    link = _link_of(created)
    token = link.split("token=")[1]
    hong = _officer(app, "hong.tanhong")
    assert (hong.full_name, hong.role, hong.agency_id) == ("Lê Thị Hồng", "specialist",
                                                           commune["agency_id"])
    assert _audit(app, "officer:create") == [(commune["admin_id"], hong.id, commune["agency_id"], {
        "before": {}, "after": {"username": "hong.tanhong", "full_name": "Lê Thị Hồng",
                                "role": "specialist", "agency_id": commune["agency_id"],
                                "active": True}})]
    # No password works before the officer chooses one; the database holds only a digest.
    with app.app_context():
        stored = db.session.scalar(select(PasswordLink))
        assert stored.token_hash != token and token not in stored.token_hash
        assert not verify_password(db.session.get(Officer, hong.id).password_hash, f.PASSWORD)

    started, done = _set_password(app, link)
    assert urlsplit(started.headers["Location"]).path == "/officer/set-password"
    assert done.status_code == 302 and urlsplit(done.headers["Location"]).path == "/officer/login"
    with app.app_context():
        assert verify_password(db.session.get(Officer, hong.id).password_hash, NEW_PASSWORD)
    # Once only.
    _started, again = _set_password(app, link, "mot-mat-khau-khac-2026")
    assert again.status_code == 404
    assert "đã dùng hoặc đã hết hạn" in again.get_data(as_text=True)
    with app.app_context():
        assert verify_password(db.session.get(Officer, hong.id).password_hash, NEW_PASSWORD)
    assert len(_audit(app, "officer:password_set")) == 1
    # The token appears in no log line and in no audit row.
    assert token not in caplog.text
    with app.app_context():
        assert all(token not in str(e.changes) for e in db.session.scalars(select(AuditEntry)))


def test_a_wrong_or_expired_link_opens_nothing_and_the_password_policy_holds(app, commune):
    admin = _admin(app, commune)
    issued = _post(admin, f"/admin/officers/{commune['desk_id']}/password-link")
    link = _link_of(issued)
    wrong = link[:-4] + ("AAAA" if not link.endswith("AAAA") else "BBBB")
    assert _set_password(app, wrong)[1].status_code == 404
    assert _set_password(app, link, "ngan")[1].status_code == 422  # fewer than 10 characters
    _s, mismatch = _set_password(app, link, NEW_PASSWORD, "khac-hoan-toan-2026")
    assert "Hai lần nhập mật khẩu không giống nhau" in mismatch.get_data(as_text=True)
    _s, with_name = _set_password(app, link, "x" + commune["desk"] + "2026")
    assert "không được chứa tên đăng nhập" in with_name.get_data(as_text=True)
    # A newer link replaces the older one.
    newer = _link_of(_post(admin, f"/admin/officers/{commune['desk_id']}/password-link"))
    assert _set_password(app, link)[1].status_code == 404
    # 24 hours later it has lapsed.
    with app.app_context():
        for row in db.session.scalars(select(PasswordLink)):
            row.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert _set_password(app, newer)[1].status_code == 404
    with app.app_context():
        assert verify_password(db.session.get(Officer, commune["desk_id"]).password_hash,
                               f.PASSWORD)


def test_edit_and_role_change_are_audited_with_before_and_after(app, commune):
    admin = _admin(app, commune)
    url = f"/admin/officers/{commune['desk_id']}"
    saved = _post(admin, url, full_name="Nguyễn Văn Tiếp", role="leader")
    assert saved.status_code == 302
    desk = _officer(app, commune["desk"])
    assert (desk.full_name, desk.role) == ("Nguyễn Văn Tiếp", "leader")
    [(actor, subject, agency_id, changes)] = _audit(app, "officer:update")
    assert (actor, subject, agency_id) == (commune["admin_id"], desk.id, commune["agency_id"])
    assert changes == {"before": {"full_name": "Cán bộ receiving Xã Tản Hồng",
                                  "role": "receiving"},
                       "after": {"full_name": "Nguyễn Văn Tiếp", "role": "leader"}}
    # A role a commune admin may not give, and an empty name: refused, nothing saved.
    assert _post(admin, url, full_name="X", role="system_admin").status_code == 422
    bad = _post(admin, url, full_name="   ", role="leader")
    assert bad.status_code == 422 and "Vui lòng nhập họ và tên" in bad.get_data(as_text=True)
    assert _officer(app, commune["desk"]).role == "leader"
    assert len(_audit(app, "officer:update")) == 1


@pytest.mark.committed  # a second app process reads what this one wrote
def test_disable_ends_the_officers_sessions_on_every_process_and_enable_restores(
        app, commune, tmp_path):
    desk = f.signed_in(app, commune["desk"])
    other_process = make_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "other",
                             SECRET_KEY=app.config["SECRET_KEY"])
    copied = other_process.test_client()
    copied.set_cookie("session", desk.get_cookie("session").value)
    assert desk.get("/officer/inbox").status_code == 200
    assert copied.get("/officer/inbox").status_code == 200

    admin = _admin(app, commune)
    assert _post(admin, f"/admin/officers/{commune['desk_id']}/disable").status_code == 302
    for client in (desk, copied):
        response = client.get("/officer/inbox")
        assert response.status_code == 302
        assert urlsplit(response.headers["Location"]).path == "/officer/login"
    assert not _officer(app, commune["desk"]).active
    login = app.test_client()
    page = login.get("/officer/login")
    assert login.post("/officer/login", data={"csrf_token": f.csrf_token(page.data),
                                              "username": commune["desk"],
                                              "password": f.PASSWORD}).status_code == 401
    assert _post(admin, f"/admin/officers/{commune['desk_id']}/enable").status_code == 302
    assert f.signed_in(app, commune["desk"]).get("/officer/inbox").status_code == 200
    assert [c for *_r, c in _audit(app, "officer:disable")] == [
        {"before": {"active": True}, "after": {"active": False}}]
    assert [c for *_r, c in _audit(app, "officer:enable")] == [
        {"before": {"active": False}, "after": {"active": True}}]


def test_no_admin_disables_themself_and_the_last_admin_stays(app, commune):
    admin = _admin(app, commune)
    me = f"/admin/officers/{commune['admin_id']}"
    self_disable = _post(admin, me + "/disable")
    assert self_disable.status_code == 409
    assert "không thể tự khoá" in self_disable.get_data(as_text=True)
    assert _post(admin, me, full_name="X", role="leader").status_code == 422  # own role
    with app.app_context():
        home = db.session.get(Agency, commune["agency_id"])
        second = f.officer(home, "commune_admin", username="quantri2.tanhong")
        db.session.commit()
        second_id, second_secret = second.id, second.totp_secret
    other = f.signed_in(app, "quantri2.tanhong", second_secret)
    # Two admins: the second may disable the first, who is then the last one no more...
    assert _post(other, me + "/disable").status_code == 302
    # ...and the first, now gone, left the second as the last admin: nobody removes them.
    with app.app_context():
        home = db.session.get(Agency, commune["agency_id"])
        sysadmin = f.officer(home, "system_admin", username="hethong")
        db.session.commit()
        sys_secret = sysadmin.totp_secret
    system = f.signed_in(app, "hethong", sys_secret)
    last = _post(system, f"/admin/officers/{second_id}/disable")
    assert last.status_code == 409 and "quản trị viên cuối cùng" in last.get_data(as_text=True)
    demote = _post(system, f"/admin/officers/{second_id}", full_name="X", role="leader")
    assert demote.status_code == 409
    assert _officer(app, "quantri2.tanhong").active
    assert _officer(app, "quantri2.tanhong").role == "commune_admin"


def test_reset_of_the_second_factor_makes_the_officer_enrol_again(app, commune):
    with app.app_context():
        desk = db.session.get(Officer, commune["desk_id"])
        desk.totp_secret = pyotp.random_base32()  # a receiving officer who had turned it on
        db.session.commit()
    signed = f.signed_in(app, commune["desk"], _officer(app, commune["desk"]).totp_secret)
    admin = _admin(app, commune)
    assert _post(admin, f"/admin/officers/{commune['desk_id']}/reset-totp").status_code == 302
    assert signed.get("/officer/inbox").status_code == 302  # signed out until enrolled
    assert _officer(app, commune["desk"]).totp_secret is None
    client = app.test_client()
    page = client.get("/officer/login")
    first = client.post("/officer/login", data={"csrf_token": f.csrf_token(page.data),
                                                "username": commune["desk"],
                                                "password": f.PASSWORD})
    assert first.headers["Location"].endswith("/officer/login/totp-setup")
    assert client.get("/officer/inbox").status_code == 302
    [(_a, _s, _g, changes)] = _audit(app, "officer:reset_totp")
    assert changes == {"before": {"totp": True},
                       "after": {"totp": False, "enrol_at_next_sign_in": True}}


def test_the_list_shows_last_sign_in_and_failed_attempts(app, commune):
    admin = _admin(app, commune)
    html = admin.get("/admin/officers").get_data(as_text=True)
    desk_row = next(r for r in html.split("<tr") if commune["desk"] in r)
    assert "Chưa đăng nhập" in desk_row and "<td>0</td>" in desk_row
    for _ in range(3):
        client = app.test_client()
        page = client.get("/officer/login")
        client.post("/officer/login", data={"csrf_token": f.csrf_token(page.data),
                                            "username": commune["desk"], "password": "sai"})
    html = admin.get("/admin/officers").get_data(as_text=True)
    desk_row = next(r for r in html.split("<tr") if commune["desk"] in r)
    assert re.search(r"3 lần \(lần cuối \d\d:\d\d \d\d/\d\d/\d{4}\)", desk_row)
    f.signed_in(app, commune["desk"])
    html = admin.get(f"/admin/officers/{commune['desk_id']}").get_data(as_text=True)
    assert re.search(r"Đăng nhập gần nhất</dt><dd>\d\d:\d\d \d\d/\d\d/\d{4}", html)
    assert "Đăng nhập sai từ lần đăng nhập gần nhất</dt><dd>0" in html  # told, then cleared


def test_another_communes_officer_is_not_found_and_a_system_admin_reaches_it(app, commune):
    with app.app_context():
        other = db.session.scalar(select(Agency)
                                  .where(Agency.slug == "vanhung"))
        theirs = f.officer(other, "receiving")
        sysadmin = f.officer(other, "system_admin", username="hethong")
        db.session.commit()
        theirs_id, sys_secret = theirs.id, sysadmin.totp_secret
    admin = _admin(app, commune)
    assert admin.get(f"/admin/officers/{theirs_id}").status_code == 404
    assert _post(admin, f"/admin/officers/{theirs_id}/disable").status_code == 404
    system = f.signed_in(app, "hethong", sys_secret)
    assert "Xã Tản Hồng" in system.get("/admin/officers?agency=tanhong").get_data(as_text=True)
    assert _post(system, f"/admin/officers/{commune['desk_id']}/disable").status_code == 302
    [(actor, subject, agency_id, _c)] = _audit(app, "officer:disable")
    assert (subject, agency_id) == (commune["desk_id"], commune["agency_id"])


def test_the_command_line_creates_officers_through_the_same_service(app, commune):
    runner = CliRunner()
    with app.app_context():
        from app.accounts.cli import create_officer

        result = runner.invoke(create_officer, [
            "--username", "Lanh.Dao", "--full-name", "Phạm Văn Lãnh", "--role", "leader",
            "--agency", "tanhong", "--password", NEW_PASSWORD], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        taken = runner.invoke(create_officer, [
            "--username", "lanh.dao", "--full-name", "X", "--role", "leader",
            "--agency", "tanhong", "--password", NEW_PASSWORD])
        assert taken.exit_code != 0 and "đã có người dùng" in taken.output
        short = runner.invoke(create_officer, [
            "--username", "ngan.mk", "--full-name", "X", "--role", "leader",
            "--agency", "tanhong", "--password", "ngan"])
        assert short.exit_code != 0 and "ít nhất 10 ký tự" in short.output
    leader = _officer(app, "lanh.dao")
    [(actor, subject, _g, changes)] = _audit(app, "officer:create")
    assert actor == subject == leader.id and changes["via"] == "cli"
