"""Dossier photos through the form, read back by the officer and the citizen: the same bytes
and the same headers from the local disk and from S3 (SeaweedFS); a store that is down is
answered with a clear 503 and keeps nothing."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from app.dossiers.models import Dossier
from app.extensions import db
from tests import factories as f
from tests.factories.world import World, open_form, post_form, stored_files
from tests.pg_server import free_port

DOWN_MESSAGE = "Kho lưu trữ tệp đang tạm thời gián đoạn"


def _submit_three_photos(client: Any, world: World) -> tuple[str, str]:
    _html, csrf, key = open_form(client)
    response = post_form(client, world, csrf=csrf, key=key, files={
        f"doc-{world.required_doc}": [(f.jpeg(), "giấy khai sinh.jpg"),
                                      (f.jpeg(color="red"), "trang-2.jpg")],
        f"doc-{world.optional_doc}": [(f.jpeg(color="blue"), "uy-quyen.jpg")],
    })
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    code, secret = response.headers["Location"].split("/d/")[1].split("/submitted?t=")
    return code, secret


def _files(app: Flask, code: str) -> list[tuple[int, str, int, str]]:
    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
        return [(x.id, x.original_name, x.size, x.sha256)
                for x in sorted(dossier.files, key=lambda x: x.id)]


def test_photos_sent_through_the_form_come_back_with_the_same_headers(
        store_app: Flask, world: World) -> None:
    citizen = store_app.test_client()
    code, secret = _submit_three_photos(citizen, world)
    files = _files(store_app, code)
    assert [name for _id, name, _size, _sha in files] == [
        "giấy khai sinh.jpg", "trang-2.jpg", "uy-quyen.jpg"]
    assert len(stored_files(store_app)) == 3
    officer = store_app.test_client()
    f.sign_in(store_app, officer, "receiving.a")
    first_id, _name, size, sha = files[0]
    response = officer.get(f"/officer/dossiers/{code}/files/{first_id}")
    assert response.status_code == 200
    body = response.get_data()
    assert hashlib.sha256(body).hexdigest() == sha and len(body) == size
    # The Vietnamese name: an ASCII fallback, and the exact name per RFC 5987 (ấ is E1 BA A5).
    assert {name: response.headers.get(name) for name in (
        "Content-Type", "Content-Length", "Content-Disposition", "Cache-Control",
        "X-Content-Type-Options")} == {
        "Content-Type": "image/jpeg",
        "Content-Length": str(size),
        "Content-Disposition": "inline; filename=\"giay khai sinh.jpg\"; "
                               "filename*=UTF-8''gi%E1%BA%A5y%20khai%20sinh.jpg",
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
    }
    third_id, _name, size, sha = files[2]
    mine = citizen.get(f"/d/{code}/files/{third_id}?t={secret}")
    assert mine.status_code == 200
    assert hashlib.sha256(mine.get_data()).hexdigest() == sha
    assert {name: mine.headers.get(name) for name in (
        "Content-Type", "Content-Length", "Content-Disposition", "Cache-Control",
        "X-Content-Type-Options")} == {
        "Content-Type": "image/jpeg",
        "Content-Length": str(size),
        "Content-Disposition": f"inline; filename={code}-{third_id}.jpg",
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
    }
    # The access checks stay the views': a stranger and another commune see nothing.
    assert store_app.test_client().get(f"/d/{code}/files/{third_id}").status_code == 404
    outsider = store_app.test_client()
    f.sign_in(store_app, outsider, "receiving.b")
    assert outsider.get(f"/officer/dossiers/{code}/files/{first_id}").status_code == 404


def test_photos_on_s3_are_encrypted_server_side(app: Flask, world: World, s3_url: str,
                                                seaweed: Any) -> None:
    f.use_file_store(app, s3_url)
    _submit_three_photos(app.test_client(), world)
    client = seaweed.client()
    prefix = s3_url.split("?")[0].split("/", 3)[3] + "/"
    listed = client.list_objects_v2(Bucket="motcua-tests", Prefix=prefix)["Contents"]
    assert len(listed) == 3
    for item in listed:
        head = client.head_object(Bucket="motcua-tests", Key=item["Key"])
        assert head["ServerSideEncryption"] == "AES256"


def test_a_store_that_is_down_answers_503_and_keeps_nothing(
        app: Flask, world: World, s3_url: str, seaweed: Any) -> None:
    f.use_file_store(app, s3_url.replace(seaweed.endpoint, f"http://127.0.0.1:{free_port()}"))
    citizen = app.test_client()
    _html, csrf, key = open_form(citizen)
    response = post_form(citizen, world, csrf=csrf, key=key)
    assert response.status_code == 503
    assert DOWN_MESSAGE in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Dossier)) == 0
    # Nothing half-stored: no temporary upload left either, and the same key works later.
    f.use_file_store(app, s3_url)
    assert stored_files(app) == []
    again = post_form(citizen, world, csrf=csrf, key=key)
    assert again.status_code == 302


def test_reading_a_file_while_the_store_is_down_is_a_clear_503(
        app: Flask, world: World, s3_url: str, seaweed: Any) -> None:
    f.use_file_store(app, s3_url)
    citizen = app.test_client()
    code, _secret = _submit_three_photos(citizen, world)
    file_id = _files(app, code)[0][0]
    f.use_file_store(app, s3_url.replace(seaweed.endpoint, f"http://127.0.0.1:{free_port()}"))
    officer = app.test_client()
    f.sign_in(app, officer, "receiving.a")
    response = officer.get(f"/officer/dossiers/{code}/files/{file_id}")
    assert response.status_code == 503
    assert DOWN_MESSAGE in response.get_data(as_text=True)
