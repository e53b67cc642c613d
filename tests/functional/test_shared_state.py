"""Two app processes of one deployment agree: the rate limits live in Redis, the officer
sessions in the database, the files in the S3 bucket. Each process is a real gunicorn
serving `wsgi:app`."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from flask import Flask
from PIL import Image
from sqlalchemy import select

from app.extensions import db
from app.feedback.models import Feedback
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


@pytest.fixture(scope="module")
def two_hosts(_schema: str, redis_url: str, s3_env: dict[str, str],
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[list[str], list[Path]]]:
    """Two processes as on two hosts: each with a disk of its own, the files in one bucket."""
    store = s3_env
    disks = [tmp_path_factory.mktemp(f"host{i}") for i in range(2)]
    envs = [app_env(_schema, disk, RATELIMIT_STORAGE_URI=redis_url, **store) for disk in disks]
    with web_processes(envs) as urls:
        yield urls, disks


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


def test_a_file_sent_to_one_host_is_read_through_the_other(
        app: Flask, two_hosts: tuple[list[str], list[Path]]) -> None:
    (first, second), disks = two_hosts
    with app.app_context():
        home = f.agency("xa-hai-kho", "Xã Hai Kho", "000.77.77.H78")
        desk = f.officer(home, "receiving").username
        db.session.commit()
    photo = f.jpeg(160, 120)
    villager = requests.Session()
    sent = villager.post(f"{first}/feedback/new", data={
        "csrf_token": _token(villager, f"{first}/feedback/new?agency=xa-hai-kho"),
        "agency": "xa-hai-kho", "about": "hall", "message": "Mái hiên nhà văn hoá bị dột"},
        files={"photo": ("mai-hien.jpg", io.BytesIO(photo), "image/jpeg")},
        allow_redirects=False, timeout=10)
    assert sent.status_code == 200 and "Đã gửi phản ánh" in sent.text, sent.text[:300]
    with app.app_context():
        feedback_id = db.session.scalar(select(Feedback.id).where(
            Feedback.agency.has(slug="xa-hai-kho")))
    officer = requests.Session()
    signed_in = officer.post(f"{second}/officer/login", data={
        "csrf_token": _token(officer, f"{second}/officer/login"), "username": desk,
        "password": f.PASSWORD}, allow_redirects=False, timeout=10)
    assert signed_in.status_code == 302
    shown = officer.get(f"{second}/officer/feedback/{feedback_id}/photo", timeout=10)
    assert shown.status_code == 200
    # The photo as the app keeps it (re-encoded without its metadata), whole.
    assert Image.open(io.BytesIO(shown.content)).size == (160, 120)
    # Neither host kept it on its own disk: it lives in the bucket only.
    assert not [p.name for disk in disks for p in disk.rglob("*")
                if p.is_file() and p.read_bytes()[:3] == b"\xff\xd8\xff"]
