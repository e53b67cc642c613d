"""Catalogue import/export: validation, upsert by code, documents kept in place, round trip."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.extensions import db
from app.places.models import Agency
from app.procedures.catalogue import (
    CatalogueError,
    bundled_catalogue_path,
    export_catalogue,
    import_catalogue,
)
from app.procedures.models import Procedure
from app.procedures.search import search_procedures

SMALL = Path(__file__).with_name("small_catalogue.json")


def small() -> dict[str, Any]:
    return json.loads(SMALL.read_text(encoding="utf-8"))


def _agency(slug: str, kind: str = "commune") -> Agency:
    agency = Agency(code=f"000.{slug}", slug=slug, name=f"Xã {slug}", kind=kind)
    db.session.add(agency)
    return agency


def test_import_creates_then_reimport_changes_nothing(app):
    with app.app_context():
        first = import_catalogue(small())
        db.session.commit()
        assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
        again = import_catalogue(small())
        assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_export_then_import_round_trips(app):
    with app.app_context():
        import_catalogue(json.loads(bundled_catalogue_path().read_text(encoding="utf-8")))
        db.session.commit()
        exported = export_catalogue()
        report = import_catalogue(copy.deepcopy(exported))
        db.session.commit()
        assert report.created == 0 and report.updated == 0
        assert export_catalogue() == exported
        land = next(p for p in exported["procedures"] if p["code"] == "1.012812")
        assert land["time_limit_unit"] == "calendar_days"


def test_update_keeps_document_ids_and_reindexes(app):
    with app.app_context():
        import_catalogue(small())
        db.session.commit()
        birth = db.session.scalar(select(Procedure).where(Procedure.code == "9.000001"))
        ids = [d.id for d in birth.documents]

        data = small()
        data["procedures"][0]["documents"][1]["name"] = "Giấy chứng sinh (bản chính)"
        data["procedures"][0]["documents"].append(
            {"name": "Sổ tạm trú", "copies": 1, "mandatory": False, "uploadable": True,
             "note": ""})
        data["procedures"][0]["keywords"].append("làm giấy cho em bé")
        report = import_catalogue(data)
        db.session.commit()
        assert report.updated == 1 and report.unchanged == 2
        birth = db.session.scalar(select(Procedure).where(Procedure.code == "9.000001"))
        assert [d.id for d in birth.documents][:3] == ids
        assert birth.documents[1].name == "Giấy chứng sinh (bản chính)"
        assert birth.documents[3].name == "Sổ tạm trú"
        assert [p.code for p in search_procedures("em be")] == ["9.000001"]


def test_removed_documents_are_deleted(app):
    with app.app_context():
        import_catalogue(small())
        db.session.commit()
        data = small()
        del data["procedures"][0]["documents"][2]
        import_catalogue(data)
        db.session.commit()
        birth = db.session.scalar(select(Procedure).where(Procedure.code == "9.000001"))
        assert [d.name for d in birth.documents] == ["Tờ khai đăng ký khai sinh",
                                                     "Giấy chứng sinh"]


def test_links_every_commune_by_default_or_only_the_given_agencies(app):
    with app.app_context():
        tanhong, vanhung = _agency("tanhong"), _agency("vanhung", "ward")
        _agency("hanoi", "province")
        db.session.flush()
        import_catalogue(small())
        db.session.commit()
        birth = db.session.scalar(select(Procedure).where(Procedure.code == "9.000001"))
        assert sorted(a.slug for a in birth.agencies) == ["tanhong", "vanhung"]
        assert [p.code for p in search_procedures("", agency_id=vanhung.id)][:1] == ["9.000002"]

        other = _agency("other")
        db.session.flush()
        data = small()
        data["procedures"] = data["procedures"][:1]
        import_catalogue(data, agencies=[other])
        db.session.commit()
        assert [p.code for p in search_procedures("", agency_id=other.id)] == ["9.000001"]
        assert tanhong in birth.agencies  # earlier links are kept


def _errors(data: Any) -> str:
    with pytest.raises(CatalogueError) as caught:
        import_catalogue(data)
    return caught.value.message


@pytest.mark.parametrize(("change", "expected"), [
    (lambda d: d["procedures"][0].pop("name"), 'Thủ tục 9.000001, "name": phải có'),
    (lambda d: d["procedures"][1].update(online_level="sometimes"),
     'Thủ tục 9.000002 (Chứng thực bản sao từ bản chính), "online_level": phải là một trong'),
    (lambda d: d["procedures"][0].update(time_limit_days=-1),
     '"time_limit_days": phải là số nguyên không âm'),
    (lambda d: d["procedures"][0]["documents"][1].update(copies="hai"),
     'Thủ tục 9.000001 (Đăng ký khai sinh), giấy tờ số 2, "copies": phải là số nguyên'),
    (lambda d: d["procedures"][0]["fees"][1].pop("amount"),
     'khoản phí số 2, "amount": bắt buộc với loại phí per_copy'),
    (lambda d: d["procedures"][0]["fees"][0].update(kind="cheap"), '"kind": phải là một trong'),
    (lambda d: d["procedures"][0]["form_fields"][0].update(type="choice"),
     'trường nhập số 1, "choices": bắt buộc'),
    (lambda d: d["procedures"][2].update(code="9.000001"), '"code": mã bị trùng'),
    (lambda d: d["procedures"][0].update(time_limit_day=3),
     '"time_limit_day": trường không có trong định dạng'),
    (lambda d: d.update(version=2), '"version": phải là 1'),
    (lambda d: d.update(procedures={}), '"procedures": phải là danh sách'),
])
def test_validation_names_the_procedure_and_field(app, change, expected):
    data = small()
    change(data)
    with app.test_request_context():
        assert expected in _errors(data)


def test_a_bad_file_imports_nothing(app):
    data = small()
    data["procedures"][2]["popularity"] = 101
    with app.app_context():
        with pytest.raises(CatalogueError):
            import_catalogue(data)
        db.session.rollback()
        assert db.session.scalar(select(Procedure.id)) is None
