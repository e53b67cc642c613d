"""Authorization matrix of the admin pages (/admin/officers…, /admin/commune/bank-account…):
every URL × every role × own and another commune × anonymous, plus CSRF refusals.

Written out by hand: a commune admin runs their own commune only (another commune's officer
or proposal is a 404, as for a dossier); a system admin runs every commune; receiving
officers, specialists and leaders get 403; an anonymous visitor goes to the sign-in page.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from app.accounts.models import Officer, Role
from app.admin import bank
from app.backoffice.models import AuditEntry
from app.extensions import db
from tests import factories as f

OWN, OTHER = "own", "other"
SUBJECTS = ["anonymous"] + [f"{role.value}@{where}" for role in Role for where in (OWN, OTHER)]


@dataclass
class AdminWorld:
    officers: dict[str, tuple[str, str | None]]
    target_id: int  # a receiving officer of the own commune
    change_id: int  # a pending bank account proposal of the own commune


@pytest.fixture
def admin_world(app) -> AdminWorld:
    with app.app_context():
        own = f.agency("tanhong", "Xã Tản Hồng", "000.31.12.H26")
        other = f.agency("vanhung", "Xã Vạn Hưng", "000.25.28.H34")
        officers = {}
        for role in Role:
            for where, home in ((OWN, own), (OTHER, other)):
                o = f.officer(home, role.value)
                officers[f"{role.value}@{where}"] = (o.username, o.totp_secret)
        proposer = f.officer(own, "commune_admin", username="quantri2.tanhong")
        target = db.session.scalar(select(Officer).where(
            Officer.username == "receiving.tanhong"))
        change = bank.propose(proposer, own, bank.clean_account(
            "970436", "0011001234567", "UBND XA TAN HONG"))
        db.session.commit()
        return AdminWorld(officers, target.id, change.id)


def _pages(w: AdminWorld) -> list[str]:
    return ["/admin/officers", "/admin/officers/new", f"/admin/officers/{w.target_id}",
            "/admin/commune/bank-account", f"/admin/commune/bank-account/changes/{w.change_id}"]


def _expected(subject: str, url: str) -> int:
    if subject == "anonymous":
        return 302
    role, where = subject.split("@")
    if role not in (Role.COMMUNE_ADMIN, Role.SYSTEM_ADMIN):
        return 403
    # The commune's own list pages show the admin's own commune: open to every admin.
    if url in ("/admin/officers", "/admin/officers/new", "/admin/commune/bank-account"):
        return 200
    if role == Role.SYSTEM_ADMIN or where == OWN:
        return 200
    return 404


@pytest.mark.parametrize("subject", SUBJECTS)
def test_admin_pages_authorization_matrix(app, admin_world, subject):
    client = app.test_client()
    if subject != "anonymous":
        f.login(client, *admin_world.officers[subject])
    wrong = []
    for url in _pages(admin_world):
        response = client.get(url)
        expected = _expected(subject, url)
        if response.status_code != expected:
            wrong.append(f"GET {url}: {response.status_code}, expected {expected}")
        elif expected == 302 and urlsplit(response.headers["Location"]).path != "/officer/login":
            wrong.append(f"GET {url}: redirected to {response.headers['Location']}")
    # Choosing another commune by name: only a system admin may.
    chosen = client.get("/admin/officers?agency=tanhong")
    chosen_expected = {"anonymous": 302}.get(subject) or (
        403 if subject.split("@")[0] not in ("commune_admin", "system_admin") else
        200 if subject.startswith("system_admin") or subject.endswith(OWN) else 404)
    if chosen.status_code != chosen_expected:
        wrong.append(f"?agency=tanhong: {chosen.status_code}, expected {chosen_expected}")
    assert wrong == []


ACTIONS = ["/disable", "/enable", "/reset-totp", "/password-link", ""]
BANK_ACTIONS = ["/approve", "/refuse", "/withdraw"]


@pytest.mark.parametrize("subject", ["anonymous", "receiving@own", "leader@own",
                                     "specialist@own", "commune_admin@other"])
def test_admin_actions_refused_to_whoever_may_not(app, admin_world, subject):
    client = app.test_client()
    if subject != "anonymous":
        f.login(client, *admin_world.officers[subject])
    token = f.csrf_token(client.get("/officer/login").data)
    expected = {"anonymous": 302, "commune_admin@other": 404}.get(subject, 403)
    posts = [f"/admin/officers/{admin_world.target_id}{a}" for a in ACTIONS]
    posts += [f"/admin/commune/bank-account/changes/{admin_world.change_id}{a}"
              for a in BANK_ACTIONS]
    for url in posts:
        response = client.post(url, data={"csrf_token": token, "full_name": "X",
                                          "role": "leader"})
        assert response.status_code == expected, url
    # commune_admin@other proposing posts to their own commune: fine; for another's: 404.
    response = client.post("/admin/commune/bank-account?agency=tanhong", data={
        "csrf_token": token, "bank_bin": "970418", "bank_account": "12345678",
        "bank_account_name": "X"})
    assert response.status_code == expected
    with app.app_context():
        target = db.session.get(Officer, admin_world.target_id)
        assert target.active and target.role == "receiving"
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 1  # propose


def test_admin_forms_refuse_posts_without_csrf_token(app, admin_world):
    client = app.test_client()
    f.login(client, *admin_world.officers["commune_admin@own"])
    posts = [f"/admin/officers/{admin_world.target_id}{a}" for a in ACTIONS]
    posts += ["/admin/officers/new", "/admin/commune/bank-account"]
    posts += [f"/admin/commune/bank-account/changes/{admin_world.change_id}{a}"
              for a in BANK_ACTIONS]
    for url in posts:
        response = client.post(url, data={"full_name": "X", "role": "leader",
                                          "username": "moi.tanhong"})
        assert response.status_code == 400, url
        assert "Phiên làm việc đã hết hạn" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Officer, admin_world.target_id).active
        assert db.session.scalar(select(Officer).where(Officer.username == "moi.tanhong")) is None
