"""The dossier page, its files and timeline: shown only with the secret or to this phone."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from app.dossiers.access import COOKIE
from app.dossiers.models import Dossier
from app.extensions import db
from tests.factories.files import jpeg, pdf
from tests.factories.pages import csrf_token
from tests.factories.world import World, submit


def _files(app: Flask, code: str) -> list[tuple[int, str]]:
    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
        return [(f.id, f.content_type) for f in dossier.files]


def _two_dossiers(app: Flask, world: World) -> tuple[tuple[str, str], tuple[str, str]]:
    files = {f"doc-{world.required_doc}": [(jpeg(), "a.jpg"), (pdf(), "b.pdf")]}
    return (submit(app.test_client(), world, files=files),
            submit(app.test_client(), world, files=files))


def test_page_with_the_secret_shows_status_timeline_and_files(app: Flask,
                                                              world: World) -> None:
    (code, secret), _other = _two_dossiers(app, world)
    client = app.test_client()
    page = client.get(f"/d/{code}?t={secret}")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "private, no-store"
    html = page.get_data(as_text=True)
    assert html.count("<h1") == 1
    assert "Đã nộp – chờ tiếp nhận" in html
    assert "Nộp hồ sơ trực tuyến" in html  # the timeline's first event
    assert "Có khi hồ sơ được tiếp nhận" in html  # no due date before receipt
    for file_id, _type in _files(app, code):
        assert f"/d/{code}/files/{file_id}" in html
    assert 'action="/d/' + code + '/withdraw"' in html
    # The secret is remembered for this visit: later pages and files need no t.
    assert client.get(f"/d/{code}").status_code == 200


def test_no_secret_wrong_secret_other_secret_all_look_like_no_dossier(
        app: Flask, world: World) -> None:
    (code, secret), (other_code, other_secret) = _two_dossiers(app, world)
    client = app.test_client()
    unknown = client.get("/d/000.31.12.H26-010101-0001")
    assert unknown.status_code == 404
    for url in (f"/d/{code}", f"/d/{code}?t=", f"/d/{code}?t={other_secret}",
                f"/d/{code}?t={secret[:-2]}", f"/d/{code}/submitted",
                f"/d/{code}/submitted?t={other_secret}"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert code not in response.get_data(as_text=True)


def test_files_need_access_to_their_own_dossier(app: Flask, world: World) -> None:
    (code, secret), (other_code, _s) = _two_dossiers(app, world)
    mine, theirs = _files(app, code), _files(app, other_code)
    stranger = app.test_client()
    assert stranger.get(f"/d/{code}/files/{mine[0][0]}").status_code == 404
    owner = app.test_client()
    assert owner.get(f"/d/{code}?t={secret}").status_code == 200
    # Guessed ids of another dossier's files, through the dossier this phone may see.
    for file_id, _type in theirs:
        assert owner.get(f"/d/{code}/files/{file_id}").status_code == 404
        assert owner.get(f"/d/{other_code}/files/{file_id}").status_code == 404
    assert owner.get(f"/d/{code}/files/999999").status_code == 404


def test_files_are_served_inline_privately_and_pdfs_sandboxed(app: Flask,
                                                               world: World) -> None:
    (code, secret), _other = _two_dossiers(app, world)
    client = app.test_client()
    for file_id, content_type in _files(app, code):
        response = client.get(f"/d/{code}/files/{file_id}?t={secret}")
        assert response.status_code == 200
        assert response.mimetype == content_type
        assert response.headers["Content-Disposition"].startswith("inline")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "private, no-store"
        body = response.get_data()
        if content_type == "application/pdf":
            assert response.headers["Content-Security-Policy"] == "sandbox"
            assert body.startswith(b"%PDF-")
        else:
            assert body.startswith(b"\xff\xd8\xff")


def test_this_phone_remembers_its_dossiers_and_can_forget(app: Flask, world: World) -> None:
    phone = app.test_client()
    code, _secret = submit(phone, world)
    second, _s2 = submit(phone, world)
    cookie = phone.get_cookie(COOKIE)
    assert cookie is not None and cookie.http_only
    assert cookie.max_age and cookie.max_age > 300 * 86400
    # The browser session ends (phone restarted): the long-lived list still opens them.
    phone.delete_cookie("session")
    listing = phone.get("/my")
    assert listing.headers["Cache-Control"] == "private, no-store"
    html = listing.get_data(as_text=True)
    assert html.index(second) < html.index(code)  # newest first
    assert "Đã nộp – chờ tiếp nhận" in html
    assert phone.get(f"/d/{code}").status_code == 200
    token = csrf_token(html)
    forgotten = phone.post("/my/forget", data={"csrf_token": token, "code": code})
    assert forgotten.status_code == 302
    html = phone.get("/my").get_data(as_text=True)
    assert code not in html and second in html
    assert phone.get(f"/d/{code}").status_code == 404


def test_a_tampered_list_cookie_grants_nothing(app: Flask, world: World) -> None:
    code, secret = submit(app.test_client(), world)
    thief = app.test_client()
    thief.set_cookie(COOKIE, '[["' + code + '","' + secret[:-1] + 'A"]]')
    assert thief.get(f"/d/{code}").status_code == 404
    assert code not in thief.get("/my").get_data(as_text=True)


def test_list_holds_at_most_twenty(app: Flask, world: World) -> None:
    phone = app.test_client()
    codes = [submit(phone, world)[0] for _ in range(21)]
    phone.delete_cookie("session")
    html = phone.get("/my").get_data(as_text=True)
    shown = re.findall(r"<strong>([^<]+)</strong>", html)
    assert shown == list(reversed(codes))[:20]


def test_a_wrong_secret_never_replaces_the_remembered_one(app: Flask, world: World) -> None:
    phone = app.test_client()
    code, secret = submit(app.test_client(), world)
    assert phone.get(f"/d/{code}?t={secret}").status_code == 200  # the right link: remembered
    # A mistyped or forged link, in this visit and in a later one.
    wrong = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    assert phone.get(f"/d/{code}?t={wrong}").status_code == 200  # this visit still has access
    phone.delete_cookie("session")
    assert phone.get(f"/d/{code}?t={wrong}").status_code == 200  # the remembered secret
    assert phone.get(f"/d/{code}?t=x").status_code == 200
    phone.delete_cookie("session")
    assert code in phone.get("/my").get_data(as_text=True)
    assert phone.get(f"/d/{code}").status_code == 200
