"""The officer area: every staff URL sits in the one staff blueprint, whose single guard
denies by default (anonymous → the login page, anyone but an officer → 403) and whose every
answer is `no-store`. Walks `url_map`, so a staff route added later is checked too."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, session, url_for
from flask_login import login_user
from sqlalchemy import select
from werkzeug.routing import Rule

from app.accounts.models import Officer
from app.citizens import sessions as citizen_sessions
from app.citizens.models import Citizen
from app.core.staff_area import ANONYMOUS_OK, NAME, is_staff_endpoint
from app.extensions import db
from tests.factories.pages import csrf_token

# What the back office, the payments office, the feedback office, the officer's account
# pages and the poster pages live under (the service worker's rules rely on these too).
STAFF_PREFIXES = ("/officer/", "/admin/")
IGNORED = {"HEAD", "OPTIONS"}


def _is_staff_path(path: str) -> bool:
    return path.startswith(STAFF_PREFIXES) or path + "/" in STAFF_PREFIXES


def _staff_rules(app: Flask) -> list[Rule]:
    return [r for r in app.url_map.iter_rules() if is_staff_endpoint(r.endpoint)]


def _guarded_calls(app: Flask) -> list[tuple[str, str]]:
    """(method, url) for every guarded staff route, each argument filled with "1"."""
    calls = []
    with app.test_request_context():
        for rule in _staff_rules(app):
            if rule.endpoint in ANONYMOUS_OK:
                continue
            url = url_for(rule.endpoint, **dict.fromkeys(rule.arguments, "1"))
            calls += [(method, url) for method in sorted(rule.methods - IGNORED)]
    assert calls
    return calls


def _call(client: Any, method: str, url: str, token: str) -> Any:
    # Buffered: a streamed answer (the audit CSV) holds its request context until read.
    if method == "GET":
        return client.get(url, buffered=True)
    return client.open(url, method=method, data={"csrf_token": token}, buffered=True)


def _token(client: Any) -> str:
    # The sign-in page is open to everyone and carries the session's CSRF token.
    page = client.get("/officer/login")
    assert page.status_code == 200
    return csrf_token(page.data)


def _sign_in(app: Flask, client: Any, user_of: Any, start: Any) -> None:
    with app.app_context():
        user = user_of()
        # Same address and user agent as the client: session protection checks both.
        with app.test_request_context(environ_base=client.environ_base):
            start(user)  # an officer's sign-in also writes its server-side session row
            data = dict(session)
            db.session.commit()
    with client.session_transaction() as sess:
        sess.update(data)


def test_every_staff_url_is_inside_the_staff_area(app: Flask) -> None:
    outside = [f"{r.rule} → {r.endpoint}" for r in app.url_map.iter_rules()
               if _is_staff_path(r.rule) and not is_staff_endpoint(r.endpoint)]
    assert outside == []
    # And the other way round: the area keeps to the paths the caches treat as staff's.
    strays = [r.rule for r in _staff_rules(app) if not _is_staff_path(r.rule)]
    assert strays == []


def test_the_allow_list_names_only_sign_in_steps_that_exist(app: Flask) -> None:
    endpoints = {r.endpoint for r in app.url_map.iter_rules()}
    assert ANONYMOUS_OK.issubset(endpoints)
    # The sign-in steps, and choosing a password through an admin's one-time link.
    assert all(e.startswith((f"{NAME}.accounts.login", f"{NAME}.password_link."))
               for e in ANONYMOUS_OK)


def test_one_guard_for_the_whole_area(app: Flask) -> None:
    # Blueprint-level request hooks: only the staff area has any (no second guard that
    # could drift from the first).
    assert {k for k in app.before_request_funcs if k is not None} == {NAME}
    staff_after = {k for k in app.after_request_funcs if k is not None and k.startswith(NAME)}
    assert staff_after == {NAME}


def test_anonymous_is_sent_to_the_login_page_everywhere(app: Flask, client) -> None:
    token = _token(client)
    for method, url in _guarded_calls(app):
        response = _call(client, method, url, token)
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/officer/login"), (method, url)
        assert "no-store" in response.headers["Cache-Control"], (method, url)


def test_a_signed_in_citizen_is_refused_everywhere(app: Flask, client) -> None:
    def citizen() -> Citizen:
        found = Citizen(issuer="https://id.example", subject="citizen-1", full_name="Lan")
        db.session.add(found)
        db.session.commit()
        return found

    _sign_in(app, client, citizen, citizen_sessions.start)
    token = _token(client)
    assert client.get("/me/dossiers").status_code == 200  # really signed in
    for method, url in _guarded_calls(app):
        response = _call(client, method, url, token)
        assert response.status_code == 403, (method, url)
        assert "no-store" in response.headers["Cache-Control"], (method, url)


@pytest.mark.parametrize("path", ["/officer/login", "/officer/login/totp",
                                  "/officer/login/totp-setup"])
def test_sign_in_steps_open_to_anonymous_and_not_stored(client, path: str) -> None:
    response = client.get(path)
    assert response.status_code in (200, 302)
    if response.status_code == 302:  # no sign-in in progress: back to the first step
        assert response.headers["Location"].startswith("/officer/login")
    assert "no-store" in response.headers["Cache-Control"]


def test_every_staff_answer_to_an_officer_is_not_stored(app: Flask, client, demo) -> None:
    def officer() -> Officer:
        return db.session.scalar(select(Officer).where(Officer.username == "quantri.tanhong"))

    _sign_in(app, client, officer, login_user)
    token = _token(client)
    assert client.get("/officer/inbox").status_code == 200  # really signed in
    for method, url in _guarded_calls(app):
        if "logout" in url:
            continue  # would end the session the rest of the walk uses
        response = _call(client, method, url, token)
        assert response.status_code < 500, (method, url)
        assert "no-store" in response.headers["Cache-Control"], (method, url)
