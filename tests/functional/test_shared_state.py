"""Two app processes of one deployment agree: the rate limits live in Redis, the officer
sessions in the database. Each process is a real gunicorn serving `wsgi:app`."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests
from flask import Flask

from app.extensions import db
from tests import factories as f
from tests.app_process import app_env, web_processes

pytestmark = pytest.mark.committed

TRACK_LIMIT = 10  # POST /track: "10 per minute" per address (app/dossiers/views.py)


@pytest.fixture(scope="module")
def two_processes(_schema: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
                  ) -> Iterator[list[str]]:
    """Two gunicorn processes of one deployment: same database, secret and Redis."""
    env = app_env(_schema, tmp_path_factory.mktemp("two"), RATELIMIT_STORAGE_URI=redis_url)
    with web_processes(env, 2) as urls:
        yield urls


def _token(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=10)
    assert page.status_code == 200, page.status_code
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, "page has no CSRF token"
    return match.group(1)


def test_the_tracking_limit_holds_across_two_processes(app: Flask, two_processes: list[str]
                                                       ) -> None:
    first, second = two_processes
    browser = requests.Session()  # cookies are per host, not per port: one jar for both
    token = _token(browser, f"{first}/track")
    form = {"csrf_token": token, "code": "HS-0000-0000", "phone": "0912345678"}
    answers = []
    # Half the limit on each process: each alone has seen only 5 tries.
    for i in range(TRACK_LIMIT):
        target = first if i % 2 == 0 else second
        answers.append(browser.post(f"{target}/track", data=form, timeout=10).status_code)
    assert 429 not in answers, answers
    assert browser.post(f"{second}/track", data=form, timeout=10).status_code == 429
    assert browser.post(f"{first}/track", data=form, timeout=10).status_code == 429


def test_an_officer_logged_out_on_one_process_is_logged_out_on_both(
        app: Flask, two_processes: list[str]) -> None:
    with app.app_context():
        home = f.agency("xa-hai-may", "Xã Hai Máy", "000.77.77.H77")
        desk = f.officer(home, "receiving").username
        db.session.commit()
    first, second = two_processes
    browser = requests.Session()
    signed_in = browser.post(f"{first}/officer/login", data={
        "csrf_token": _token(browser, f"{first}/officer/login"), "username": desk,
        "password": f.PASSWORD}, allow_redirects=False, timeout=10)
    assert signed_in.status_code == 302, signed_in.text[:300]
    assert browser.get(f"{second}/officer/inbox", allow_redirects=False,
                       timeout=10).status_code == 200
    token = _token(browser, f"{first}/officer/account")
    copied = dict(browser.cookies)  # what a thief copied before the sign-out
    out = browser.post(f"{first}/officer/logout", data={"csrf_token": token},
                       allow_redirects=False, timeout=10)
    assert out.status_code == 302
    for target in (second, first):
        replay = requests.get(f"{target}/officer/inbox", cookies=copied,
                              allow_redirects=False, timeout=10)
        assert replay.status_code == 302
        assert "/officer/login" in replay.headers["Location"]
