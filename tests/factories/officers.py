"""Officers, and signing them in: through the real login form (TOTP included) or straight
into the test client's session."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pyotp
from flask import Flask, session
from flask_login import login_user
from sqlalchemy import select

from app.accounts.models import Officer, Role
from app.accounts.passwords import hash_password
from app.extensions import db
from app.places.models import Agency
from tests.factories.pages import csrf_token

PASSWORD = "mat-khau-thu-nghiem-2026"


@cache
def password_hash() -> str:
    # argon2 is slow on purpose: hash once for every officer of the test session.
    return hash_password(PASSWORD)


def officer(home: Agency, role: str, username: str | None = None,
            totp: bool | None = None) -> Officer:
    username = username or f"{role}.{home.slug}"
    needs_totp = role in (Role.COMMUNE_ADMIN, Role.SYSTEM_ADMIN) if totp is None else totp
    found = Officer(username=username, full_name=f"Cán bộ {role} {home.name}",
                    password_hash=password_hash(), role=role, agency_id=home.id,
                    totp_secret=pyotp.random_base32() if needs_totp else None)
    db.session.add(found)
    db.session.flush()
    return found


def login(client: Any, username: str, totp_secret: str | None = None) -> None:
    """Sign in through /officer/login (and its TOTP step when the officer has one)."""
    page = client.get("/officer/login")
    response = client.post("/officer/login", data={
        "csrf_token": csrf_token(page.data), "username": username, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    if response.headers["Location"].endswith("/login/totp"):
        assert totp_secret, f"{username} needs a TOTP secret"
        page = client.get("/officer/login/totp")
        response = client.post("/officer/login/totp", data={
            "csrf_token": csrf_token(page.data), "code": pyotp.TOTP(totp_secret).now()})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]


def sign_in(app: Flask, client: Any, username: str) -> None:
    """Put the officer's Flask-Login session into the test client's cookie.

    Signing in through the form would also exercise the second factor, which the login
    tests cover; here only "who is signed in" matters.
    """
    with app.app_context():
        found = db.session.scalar(select(Officer).where(Officer.username == username))
        assert found is not None
        # Same address and user agent as the client: session protection checks both.
        with app.test_request_context(environ_base=client.environ_base):
            login_user(found)  # starts the officer's server-side session row
            data = dict(session)
            db.session.commit()
    with client.session_transaction() as sess:
        sess.update(data)


def action_form(client: Any, code: str) -> dict[str, str]:
    """The CSRF token and version from the officer's dossier page, as a form would send."""
    page = client.get(f"/officer/dossiers/{code}")
    html = page.get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', html)
    return {"csrf_token": csrf_token(html), "version": version.group(1) if version else "1"}


def signed_in(app: Flask, username: str, secret: str | None = None) -> Any:
    """A test client signed in through the login form (and TOTP when a secret is given)."""
    client = app.test_client()
    login(client, username, secret)
    return client
