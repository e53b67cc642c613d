"""A declaration the catalogue says is filled online: the online form asks its questions,
asks no photo of it, and the desk prints the filled declaration ("tờ khai điện tử")."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.places.models import Agency
from app.procedures.catalogue import (
    CatalogueError,
    bundled_catalogue_path,
    validate_catalogue,
)
from app.procedures.models import Procedure
from tests import factories as f
from tests.factories.files import jpeg
from tests.factories.world import open_form

BIRTH = "1.001193"
DECLARATION = "Tờ khai đăng ký khai sinh theo mẫu"
# The questions of the birth declaration form (Circular 04/2020/TT-BTP), in its order.
DECLARATION_FIELDS = [
    "declarant_relationship", "child_full_name", "child_birth_date", "child_sex",
    "child_ethnicity", "child_nationality", "birth_place", "child_hometown",
    "mother_full_name", "mother_birth_year", "mother_ethnicity", "mother_nationality",
    "mother_residence", "mother_citizen_id", "father_full_name", "father_birth_year",
    "father_ethnicity", "father_nationality", "father_residence", "father_citizen_id",
]


def _documents(app: Flask, code: str) -> list[tuple[int, str, bool, bool]]:
    with app.app_context():
        procedure = db.session.scalar(select(Procedure).where(Procedure.code == code))
        return [(d.id, d.name, d.mandatory, d.filled_online) for d in procedure.documents]


def test_the_catalogue_marks_declarations_filled_online() -> None:
    data = json.loads(bundled_catalogue_path().read_text(encoding="utf-8"))
    marked = {p["code"]: [d["name"] for d in p["documents"] if d.get("filled_online")]
              for p in data["procedures"]}
    assert marked[BIRTH] and marked[BIRTH][0].startswith(DECLARATION)
    for code, names in marked.items():
        for name in names:
            # Only documents the catalogue itself says are filled on the web form.
            assert "trực tuyến" in name or "điện tử" in name, (code, name)


def test_the_birth_form_asks_the_declaration_and_no_photo_of_it(app: Flask, client,
                                                                demo) -> None:
    html, _csrf, _key = open_form(client, BIRTH)
    docs = _documents(app, BIRTH)
    declaration = next(d for d in docs if d[1].startswith(DECLARATION))
    assert declaration[3]  # filled_online
    assert f'data-requirement="{declaration[0]}"' not in html
    assert f'name="doc-{declaration[0]}"' not in html
    for doc_id, name, _mandatory, filled in docs:
        if not filled:
            assert f'name="doc-{doc_id}"' in html, name  # the other papers keep their slot
    asked = re.findall(r'name="answer-(\w+)"', html)
    assert [n for n in asked if n in DECLARATION_FIELDS] == DECLARATION_FIELDS
    assert "không cần chụp ảnh tờ khai" in html


def _answers() -> dict[str, str]:
    return {"answer-declarant_relationship": "Mẹ", "answer-child_full_name": "Lò Thị Mai",
            "answer-child_birth_date": "2026-11-20", "answer-child_sex": "Nữ",
            "answer-child_ethnicity": "Thái", "answer-child_nationality": "Việt Nam",
            "answer-birth_place": "Trạm y tế xã Tản Hồng",
            "answer-child_hometown": "Xã Tản Hồng, Hà Nội",
            "answer-mother_full_name": "Lò Thị Xuân", "answer-mother_birth_year": "1998",
            "answer-mother_ethnicity": "Thái", "answer-mother_nationality": "Việt Nam",
            "answer-mother_residence": "Thôn Lập Phẩm, xã Tản Hồng",
            "answer-copies": ""}


def _submit_birth(app: Flask, client: Any) -> str:
    _html, csrf, key = open_form(client, BIRTH)
    with app.app_context():
        home = db.session.scalar(select(Agency).where(Agency.slug == "tanhong"))
        slug = home.slug
    data: dict[str, Any] = {
        "csrf_token": csrf, "idempotency_key": key, "applicant_name": "Lò Thị Xuân",
        "citizen_id": "001198123456", "birth_date": "1998-03-02",  # Hà Nội, female, 1998
        "phone": "0912345678", "address": "Thôn Lập Phẩm, xã Tản Hồng", "agency": slug,
        "consent": "1", **_answers()}
    for doc_id, _name, mandatory, filled in _documents(app, BIRTH):
        if mandatory and not filled:
            data[f"doc-{doc_id}"] = [(io.BytesIO(jpeg()), f"giay-{doc_id}.jpg")]
    response = client.post(f"/procedures/{BIRTH}/apply", data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    match = re.search(r"/d/([^/]+)/submitted", response.headers["Location"])
    assert match
    return match.group(1)


def _desk(app: Flask) -> Any:
    with app.app_context():
        home = db.session.scalar(select(Agency).where(Agency.slug == "tanhong"))
        officer = f.officer(home, "receiving", username="tiepnhan.declaration")
        db.session.commit()
        username = officer.username
    client = app.test_client()
    f.login(client, username)
    return client


def test_the_desk_prints_the_filled_declaration(app: Flask, client, demo) -> None:
    code = _submit_birth(app, client)
    desk = _desk(app)
    page = desk.get(f"/officer/dossiers/{code}")
    assert f"/officer/dossiers/{code}/declaration" in page.get_data(as_text=True)
    printed = desk.get(f"/officer/dossiers/{code}/declaration")
    assert printed.status_code == 200
    assert "no-store" in printed.headers["Cache-Control"]
    html = printed.get_data(as_text=True)
    assert "Tờ khai điện tử" in html and code in html and DECLARATION in html
    assert "Lò Thị Xuân" in html and "Thôn Lập Phẩm, xã Tản Hồng" in html
    block = html[html.index('id="declaration-answers"'):]
    block = block[:block.index("</dl>")]
    # The answers in the form's order, dates as people write them.
    expected = ["Quan hệ của người đi khai với trẻ", "Mẹ", "Họ, chữ đệm và tên của trẻ",
                "Lò Thị Mai", "20/11/2026", "Nữ", "Thái", "Trạm y tế xã Tản Hồng",
                "Xã Tản Hồng, Hà Nội", "Lò Thị Xuân", "1998"]
    positions = [block.index(text) for text in expected]
    assert positions == sorted(positions)
    assert "Họ, chữ đệm và tên người cha" in block  # unanswered questions stay on the form


def test_no_declaration_page_for_a_procedure_without_one(app: Flask, client, demo) -> None:
    desk = _desk(app)
    with app.app_context():
        home = db.session.scalar(select(Agency).where(Agency.slug == "tanhong"))
        procedure = db.session.scalar(select(Procedure).where(Procedure.code == "2.000884"))
        code = f.dossier(home, procedure).code
        db.session.commit()
    assert desk.get(f"/officer/dossiers/{code}/declaration").status_code == 404
    assert client.get(f"/officer/dossiers/{code}/declaration").status_code in (302, 401, 403)


def _catalogue(document: dict[str, Any]) -> dict[str, Any]:
    return {"version": 1, "procedures": [{
        "code": "9.000001", "name": "Thử", "field": "Hộ tịch", "online_level": "full",
        "time_limit_days": 0, "documents": [document]}]}


def test_the_catalogue_import_accepts_the_mark_and_checks_it() -> None:
    validate_catalogue(_catalogue({"name": "Tờ khai", "filled_online": True}))
    with pytest.raises(CatalogueError) as caught:
        validate_catalogue(_catalogue({"name": "Tờ khai", "filled_online": "có"}))
    assert "filled_online" in str(caught.value)
