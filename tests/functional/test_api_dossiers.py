"""The JSON API: create (idempotent), read with the secret, errors; concurrency on PostgreSQL."""

from __future__ import annotations

import io
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask
from sqlalchemy import func, select

from app.dossiers.models import Dossier, DossierFile
from app.extensions import db
from tests.factories.files import jpeg, pdf
from tests.factories.world import World, api_payload, new_key, stored_files


def _post(client: Any, world: World, key: str | None, payload: dict[str, Any] | None = None,
          files: dict[str, list[tuple[bytes, str]]] | None = None) -> Any:
    data: dict[str, Any] = {"dossier": json.dumps(payload or api_payload(world))}
    if files is None:
        files = {f"doc-{world.required_doc}": [(jpeg(), "a.jpg")]}
    for name, items in files.items():
        data[name] = [(io.BytesIO(content), filename) for content, filename in items]
    headers = {"Idempotency-Key": key} if key else {}
    return client.post("/api/v1/dossiers", data=data, headers=headers,
                       content_type="multipart/form-data")


def _counts(app: Flask) -> tuple[int, int]:
    with app.app_context():
        dossiers = db.session.scalar(select(func.count()).select_from(Dossier))
        files = db.session.scalar(select(func.count()).select_from(DossierFile))
    return dossiers or 0, files or 0


def test_create_then_replay_then_conflict(app: Flask, client, world: World) -> None:
    key = new_key()
    created = _post(client, world, key)
    assert created.status_code == 201, created.get_data(as_text=True)
    body = created.get_json()
    assert set(body) >= {"code", "status", "due_date", "tracking_url"}
    assert body["status"] == "submitted"
    assert body["code"].startswith("000.31.12.H26-")
    url = urlsplit(body["tracking_url"])
    assert url.path == f"/d/{body['code']}" and url.query.startswith("t=")
    assert created.headers["Cache-Control"] == "private, no-store"

    replay = _post(client, world, key)
    assert replay.status_code == 200
    assert replay.get_json() == body

    other = _post(client, world, key, api_payload(world, answers={
        "child_name": "Người Khác", "child_birth": "2025-11-02", "sex": "Nữ"}))
    assert other.status_code == 409
    assert other.get_json()["error"]["detail"] == "Mã gửi này đã được dùng cho một hồ sơ khác"
    assert _counts(app) == (1, 1)


def test_get_needs_the_secret(client, world: World) -> None:
    body = _post(client, world, new_key()).get_json()
    path_and_query = body["tracking_url"].split("/d/", 1)[1]
    code, secret = path_and_query.split("?t=")
    found = client.get(f"/api/v1/dossiers/{code}?t={secret}")
    assert found.status_code == 200
    data = found.get_json()
    assert data["status"] == "submitted"
    assert data["status_label"] == "Đã nộp – chờ tiếp nhận"
    assert [e["action"] for e in data["timeline"]] == ["submit"]
    assert data["expected_due_date"]
    assert "phone" not in json.dumps(data) and "citizen_id" not in json.dumps(data)
    for wrong in ("", "?t=", f"?t={secret[:-1]}x", "?t=" + "A" * 43):
        response = client.get(f"/api/v1/dossiers/{code}{wrong}")
        assert response.status_code == 404
        assert response.get_json()["error"]["status"] == 404
    unknown = client.get(f"/api/v1/dossiers/{code[:-1]}9?t={secret}")
    assert unknown.status_code == 404
    assert unknown.get_json() == client.get(f"/api/v1/dossiers/{code}").get_json()


def test_validation_errors_are_422_with_fields(app: Flask, client, world: World) -> None:
    payload = api_payload(world, consent=False, answers={"sex": "Khác"})
    payload["applicant"]["phone"] = "123"
    response = _post(client, world, new_key(), payload, files={})
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert set(fields) >= {"applicant.phone", "consent", "answers.child_name", "answers.sex",
                           f"doc-{world.required_doc}"}
    assert "Số điện thoại" in fields["applicant.phone"]
    unknown = _post(client, world, new_key(), api_payload(world, procedure_code="9.99"))
    assert unknown.status_code == 422
    assert "procedure_code" in unknown.get_json()["error"]["fields"]
    broken = client.post("/api/v1/dossiers", data={"dossier": "{not json"},
                         headers={"Idempotency-Key": new_key()},
                         content_type="multipart/form-data")
    assert broken.status_code == 422
    assert _counts(app) == (0, 0)
    assert stored_files(app) == []


def test_idempotency_key_is_required(app: Flask, client, world: World) -> None:
    response = _post(client, world, None)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "idempotency_key_required"
    assert _post(client, world, "bad key!").status_code == 400
    assert _counts(app) == (0, 0)


def test_bad_second_file_leaves_no_dossier_and_no_files(app: Flask, client,
                                                        world: World) -> None:
    response = _post(client, world, new_key(), files={
        f"doc-{world.required_doc}": [(jpeg(), "a.jpg"), (pdf()[:40], "cut.pdf")]})
    assert response.status_code == 422
    assert f"doc-{world.required_doc}" in response.get_json()["error"]["fields"]
    assert _counts(app) == (0, 0)
    assert stored_files(app) == []


def _send(base: str, world: World, key: str, photo: bytes) -> requests.Response:
    files = {"dossier": (None, json.dumps(api_payload(world)), "application/json"),
             f"doc-{world.required_doc}": ("a.jpg", photo, "image/jpeg")}
    return requests.post(f"{base}/api/v1/dossiers", files=files,
                         headers={"Idempotency-Key": key}, timeout=60)


@pytest.fixture
def postgresql_only(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("concurrency is measured on PostgreSQL (run with --db=postgresql)")


@pytest.mark.usefixtures("postgresql_only")
def test_twenty_concurrent_submissions(app: Flask, live_server: str, world: World) -> None:
    photos = [jpeg(color=(i * 12, 80, 160)) for i in range(20)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(lambda p: _send(live_server, world, new_key(), p), photos))
    assert [r.status_code for r in responses] == [201] * 20, [r.text for r in responses]
    codes = [r.json()["code"] for r in responses]
    assert len(set(codes)) == 20
    assert sorted(c[-4:] for c in codes) == [f"{i:04d}" for i in range(1, 21)]
    assert _counts(app) == (20, 20)
    with app.app_context():
        keys = set(db.session.scalars(select(DossierFile.storage_key)))
    assert set(stored_files(app)) == keys


@pytest.mark.usefixtures("postgresql_only")
def test_concurrent_retries_of_one_key_make_one_dossier(app: Flask, live_server: str,
                                                        world: World) -> None:
    key, photo = new_key(), jpeg()
    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(lambda _i: _send(live_server, world, key, photo), range(8)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 7 + [201], [r.text for r in responses]
    assert len({r.json()["tracking_url"] for r in responses}) == 1
    assert _counts(app) == (1, 1)
    assert len(stored_files(app)) == 1


def test_paths_are_in_the_openapi_document(client) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "post" in paths["/dossiers"] and "get" in paths["/dossiers/{code}"]
    assert {"201", "200", "409", "422"} <= set(paths["/dossiers"]["post"]["responses"])
