"""A small, fixed world for the dossier tests (two communes, two procedures, officers) and
helpers that submit through the HTML form or the API. The `world` fixture builds it.

Kept apart from the demo catalogue so these tests say exactly which documents and fields
the procedure has.
"""

from __future__ import annotations

import io
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.accounts.models import Officer, Role
from app.dossiers.filestore import get_file_store
from app.dossiers.models import Dossier
from app.dossiers.workflow import Actor, apply
from app.extensions import db
from app.places.models import Agency, Village
from app.procedures.models import Procedure, ProcedureDocument
from tests.factories.files import jpeg
from tests.factories.pages import csrf_token

PROCEDURE = "T.0001"
OFFLINE_PROCEDURE = "T.0002"
PHONE = "0912345678"
CITIZEN_ID = "001090123456"  # Hà Nội, male, born 1990


@dataclass
class World:
    procedure_code: str
    agency_slug: str
    agency_code: str
    other_agency_slug: str
    village_code: str
    other_village_code: str
    required_doc: int
    optional_doc: int
    officers: dict[str, int]


def make_world(app: Flask) -> World:
    """Two communes of a province, the test procedures, and one officer per role."""
    with app.app_context():
        province = Agency(code="H26", slug="tinh", name="Tỉnh Thử", kind="province")
        commune = Agency(code="000.31.12.H26", slug="xa-a", name="Xã A", kind="commune",
                         parent=province, address="1 Đường Làng", hotline="0241234567",
                         working_hours="7:30–17:00, thứ Hai đến thứ Sáu")
        other = Agency(code="000.31.13.H26", slug="xa-b", name="Xã B", kind="commune",
                       parent=province)
        db.session.add_all([province, commune, other])
        db.session.flush()
        db.session.add_all([
            Village(agency_id=commune.id, code="xa-a-thon1", name="Thôn Một", position=1),
            Village(agency_id=other.id, code="xa-b-thon1", name="Thôn Hai", position=1),
        ])
        procedure = Procedure(
            code=PROCEDURE, name="Đăng ký thử", field="Hộ tịch", online_level="full",
            time_limit_days=3, fees=[{"label": "Lệ phí", "kind": "free"}],
            form_fields=[
                {"name": "child_name", "label": "Họ tên của trẻ", "type": "text",
                 "required": True, "help": "Như trên giấy chứng sinh"},
                {"name": "child_birth", "label": "Ngày sinh của trẻ", "type": "date",
                 "required": True},
                {"name": "sex", "label": "Giới tính", "type": "choice", "required": True,
                 "choices": ["Nam", "Nữ"]},
                {"name": "copies", "label": "Số bản sao", "type": "number", "required": False,
                 "min": 0, "max": 10},
                {"name": "married", "label": "Cha mẹ đã kết hôn", "type": "checkbox",
                 "required": False},
            ],
            agencies=[commune, other],
        )
        procedure.documents = [
            ProcedureDocument(position=1, name="Giấy chứng sinh", mandatory=True),
            ProcedureDocument(position=2, name="Giấy ủy quyền", mandatory=False),
            ProcedureDocument(position=3, name="Bản chính để đối chiếu", uploadable=False),
        ]
        offline = Procedure(code=OFFLINE_PROCEDURE, name="Hòa giải thử", field="Đất đai",
                            online_level="none", agencies=[commune])
        db.session.add_all([procedure, offline])
        officers = {}
        for role in (Role.RECEIVING, Role.SPECIALIST, Role.LEADER, Role.COMMUNE_ADMIN):
            officer = Officer(username=f"{role.value}.a", full_name=f"Cán bộ {role.value}",
                              password_hash="x", role=role.value, agency_id=commune.id)
            db.session.add(officer)
            db.session.flush()
            officers[role.value] = officer.id
        outsider = Officer(username="receiving.b", full_name="Cán bộ xã B", password_hash="x",
                           role=Role.RECEIVING.value, agency_id=other.id)
        db.session.add(outsider)
        db.session.flush()
        officers["outsider"] = outsider.id
        db.session.commit()
        return World(PROCEDURE, "xa-a", "000.31.12.H26", "xa-b", "xa-a-thon1", "xa-b-thon1",
                     procedure.documents[0].id, procedure.documents[1].id, officers)


def open_form(client: Any, code: str = PROCEDURE, query: str = "") -> tuple[str, str, str]:
    """GET the apply form: (html, csrf token, idempotency key)."""
    response = client.get(f"/procedures/{code}/apply{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html)
    assert key
    return html, csrf_token(html), key.group(1)


def form_fields(world: World, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "applicant_name": "Nguyễn Văn An",
        "citizen_id": CITIZEN_ID,
        "birth_date": "1990-05-01",
        "phone": "+84 912 345 678",
        "address": "Thôn Một, Xã A",
        "agency": world.agency_slug,
        "village": world.village_code,
        "answer-child_name": "Nguyễn Văn Bé",
        "answer-child_birth": "2025-12-01",
        "answer-sex": "Nam",
        "answer-copies": "2",
        "answer-married": "1",
        "consent": "1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post_form(client: Any, world: World, *, csrf: str, key: str,
              files: dict[str, list[tuple[bytes, str]]] | None = None,
              headers: dict[str, str] | None = None, **overrides: Any) -> Any:
    data = form_fields(world, **overrides)
    data["csrf_token"] = csrf
    data["idempotency_key"] = key
    if files is None:
        files = {f"doc-{world.required_doc}": [(jpeg(), "giay-chung-sinh.jpg")]}
    for name, items in files.items():
        data[name] = [(io.BytesIO(content), filename) for content, filename in items]
    return client.post(f"/procedures/{PROCEDURE}/apply", data=data, headers=headers or {},
                       content_type="multipart/form-data")


def submit(client: Any, world: World, **kwargs: Any) -> tuple[str, str]:
    """Submit a valid dossier through the HTML form: (dossier code, tracking secret)."""
    _html, csrf, key = open_form(client)
    response = post_form(client, world, csrf=csrf, key=key, **kwargs)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    match = re.search(r"/d/([^/]+)/submitted\?t=([\w-]+)", response.headers["Location"])
    assert match
    return match.group(1), match.group(2)


def api_payload(world: World, **overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "procedure_code": PROCEDURE,
        "agency": world.agency_slug,
        "village": world.village_code,
        "applicant": {"name": "Trần Thị Bình", "citizen_id": CITIZEN_ID, "phone": PHONE,
                      "address": "Thôn Một, Xã A"},
        "answers": {"child_name": "Trần Văn Cu", "child_birth": "2025-11-02", "sex": "Nam"},
        "consent": True,
    }
    payload.update(overrides)
    return payload


def new_key() -> str:
    return str(uuid.uuid4())


def officer_move(app: Flask, code: str, action: str, by: int, **data: Any) -> None:
    """Officer `by` makes a workflow move, as the back office will (committed)."""
    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
        officer = db.session.get(Officer, by)
        apply(dossier, action, Actor.for_officer(officer), **data)
        db.session.commit()


def stored_files(app: Flask) -> list[str]:
    """The names of everything the app's file store holds (local disk or S3), and of the
    temporary upload files left in the upload folder."""
    with app.app_context():
        names = [entry.key for entry in get_file_store().entries()]
    tmp = Path(app.config["MOTCUA"].upload_dir) / "tmp"
    return names + ([p.name for p in tmp.rglob("*") if p.is_file()] if tmp.exists() else [])
