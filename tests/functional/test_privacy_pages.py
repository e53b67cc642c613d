"""The personal-data pages: the citizen's data page, download and requests; the desk's
queue; breaches and the report of views. Expectations are written from the factories'
inputs by hand."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.dossiers.codes import hash_secret
from app.dossiers.filestore import get_file_store
from app.dossiers.models import Dossier
from app.extensions import db
from app.privacy import incidents, rights
from app.privacy.models import DataRequest, Incident
from tests import factories as f
from tests.factories import privacy as p
from tests.factories.pages import csrf_token, is_vietnamese

OTHER_SECRET = "bi-mat-cua-ho-so-thu-hai"
T = f"?t={f.SECRET}"


def _own_secret(found: Dossier, secret: str) -> Dossier:
    """The factory gives every dossier one secret; this one gets its own."""
    found.tracking_secret_hash = hash_secret(secret)
    db.session.flush()
    return found


@pytest.fixture
def site(app: Flask) -> dict[str, Any]:
    with app.app_context():
        home = f.agency("tanhong", "Xã Tản Hồng", "000.31.12.H26")
        other = f.agency("vanhung", "Xã Vạn Hưng", "000.25.28.H34")
        proc = f.procedure([home, other])
        form_doc, id_doc = proc.documents
        officers = {role: f.officer(home, role) for role in
                    ("receiving", "specialist", "leader", "commune_admin")}
        officers["other_admin"] = f.officer(other, "commune_admin")
        officers["other_desk"] = f.officer(other, "receiving")
        mine = f.dossier(home, proc, "in_progress", name="Nguyễn Văn An", phone="0911111111")
        # The same person's second dossier, opened by another link.
        second = _own_secret(f.dossier(home, proc, "submitted", name="Nguyễn Văn An",
                                       phone="0911111111"), OTHER_SECRET)
        neighbour = _own_secret(f.dossier(home, proc, "submitted", name="Trần Thị Bình",
                                          phone="0922222222"), "x" * 20)
        withdrawn = p.closed_at(f.dossier(home, proc, "withdrawn", name="Phạm Văn Cường",
                                          phone="0933333333"), datetime(2026, 3, 1, tzinfo=UTC))
        theirs = _own_secret(f.dossier(other, proc, "submitted", name="Đỗ Thị Dung"),
                             "y" * 20)
        photo = p.stored_file(mine, id_doc, name="can-cuoc.png")
        p.stored_file(second, form_doc, name="to-khai-hai.png")
        p.stored_file(neighbour, form_doc, name="to-khai-hang-xom.png")
        w_file = p.stored_file(withdrawn, form_doc, name="to-khai-rut.png")
        db.session.commit()
        return {"codes": {"mine": mine.code, "second": second.code,
                          "neighbour": neighbour.code, "withdrawn": withdrawn.code,
                          "theirs": theirs.code},
                "users": {k: o.username for k, o in officers.items()},
                "ids": {k: o.id for k, o in officers.items()}, "home": home.id,
                "photo": photo.id, "w_file": (w_file.id, w_file.storage_key)}


def _as(app: Flask, site: dict[str, Any], who: str) -> Any:
    client = app.test_client()
    f.sign_in(app, client, site["users"][who])
    return client


def _request(app: Flask, site: dict[str, Any], which: str, kind: str, reason: str,
             at: datetime = datetime(2026, 4, 1, tzinfo=UTC)) -> int:
    """A citizen's request filed at a chosen moment; its id."""
    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == site["codes"][which]))
        item = rights.file_request(dossier, kind, reason, at)
        db.session.commit()
        return item.id


# --- the citizen ---------------------------------------------------------------------------

def test_the_data_page_needs_the_dossiers_full_access(app, client, site) -> None:
    code = site["codes"]["mine"]
    assert client.get(f"/d/{code}/privacy").status_code == 404
    assert client.get(f"/d/{code}/privacy/export.zip").status_code == 404
    # Code + phone earns the status page only, not the personal data.
    page = client.get("/track")
    client.post("/track", data={"csrf_token": csrf_token(page.data), "code": code,
                                "phone": "0911111111"})
    assert client.get(f"/d/{code}").status_code == 200
    assert client.get(f"/d/{code}/privacy").status_code == 404
    ok = client.get(f"/d/{code}/privacy{T}")
    assert ok.status_code == 200
    html = ok.get_data(as_text=True)
    assert "Ảnh căn cước" in html and "Để làm gì:" in html and "Lưu bao lâu:" in html
    assert "Nguyễn Văn An" in html and "001190012345" in html
    assert ok.headers["Cache-Control"] == "private, no-store"
    # The secret of the first dossier opens nothing of the second or another commune's.
    for other in ("second", "neighbour", "theirs"):
        assert client.get(f"/d/{site['codes'][other]}/privacy{T}").status_code == 404


def test_the_download_holds_exactly_this_dossiers_data(app, client, site) -> None:
    code = site["codes"]["mine"]
    response = client.get(f"/d/{code}/privacy/export.zip{T}")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert sorted(archive.namelist()) == ["du-lieu.json", "tep/01-can-cuoc.png"]
    data = json.loads(archive.read("du-lieu.json"))
    assert sorted(data) == ["an_danh_luc", "co_quan", "giay_to", "ma_ho_so", "nguoi_nop",
                            "nop_luc", "phi", "qua_trinh", "thu_tuc", "to_khai", "trang_thai",
                            "yeu_cau_ve_du_lieu"]
    assert data["ma_ho_so"] == code
    assert data["nguoi_nop"] == {"ho_ten": "Nguyễn Văn An", "so_dinh_danh": "001190012345",
                                 "ngay_sinh": None, "so_dien_thoai": "0911111111",
                                 "dia_chi": "Thôn Một"}
    assert data["to_khai"] == {"purpose": "Kết hôn", "married_before": False}
    assert data["thu_tuc"] == "Xác nhận tình trạng hôn nhân"
    assert data["co_quan"] == "Xã Tản Hồng"
    assert data["trang_thai"] == "in_progress"
    assert [(g["giay_to"], g["tep_trong_goi"]) for g in data["giay_to"]] == [
        ("Bản sao căn cước", "tep/01-can-cuoc.png")]
    assert [e["buoc"] for e in data["qua_trinh"]] == ["submit"]
    assert data["phi"] is None and data["yeu_cau_ve_du_lieu"] == []
    text = response.data.decode("latin-1") + archive.read("du-lieu.json").decode()
    for other in ("second", "neighbour", "theirs", "withdrawn"):
        assert site["codes"][other] not in text
    assert "Trần Thị Bình" not in text and "to-khai-hai" not in text


def test_a_citizen_asks_for_a_correction_and_sees_the_answer(app, client, site) -> None:
    code = site["codes"]["mine"]
    page = client.get(f"/d/{code}/privacy{T}")
    token = csrf_token(page.data)
    assert client.post(f"/d/{code}/privacy/requests",
                       data={"kind": "correction", "reason": "x"}).status_code == 400
    empty = client.post(f"/d/{code}/privacy/requests",
                        data={"csrf_token": token, "kind": "correction", "reason": " "})
    assert empty.status_code == 422
    assert "Vui lòng ghi rõ thông tin cần sửa hoặc lý do xoá." in empty.get_data(as_text=True)
    sent = client.post(f"/d/{code}/privacy/requests", data={
        "csrf_token": token, "kind": "correction", "reason": "Địa chỉ đúng là Thôn Hai"})
    assert sent.status_code == 302
    desk = _as(app, site, "receiving")
    queue = desk.get("/officer/privacy/requests").get_data(as_text=True)
    assert code in queue and "Chờ trả lời" in queue
    with app.app_context():
        item = db.session.scalar(select(DataRequest))
        item_id = item.id
    form = desk.get(f"/officer/privacy/requests/{item_id}")
    # The desk corrects the dossier itself with its audited correction form.
    assert f"/officer/dossiers/{code}#act-correct_details" in form.get_data(as_text=True)
    assert 'id="act-correct_details"' in desk.get(f"/officer/dossiers/{code}").get_data(
        as_text=True)
    done = desk.post(f"/officer/privacy/requests/{item_id}", data={
        "csrf_token": csrf_token(form.data), "decision": "done",
        "answer": "Đã sửa địa chỉ thành Thôn Hai."})
    assert done.status_code == 302
    dossier_page = client.get(f"/d/{code}").get_data(as_text=True)
    assert "Đã thực hiện" in dossier_page and "Đã sửa địa chỉ thành Thôn Hai." in dossier_page


def test_a_deletion_of_a_dossier_in_progress_is_answered_kept_because(app, site) -> None:
    item_id = _request(app, site, "mine", "deletion", "Không cần nữa")
    desk = _as(app, site, "receiving")
    form = desk.get(f"/officer/privacy/requests/{item_id}")
    html = form.get_data(as_text=True)
    assert 'value="kept"' in html and 'value="done"' not in html
    refused = desk.post(f"/officer/privacy/requests/{item_id}", data={
        "csrf_token": csrf_token(form.data), "decision": "done", "answer": ""})
    assert refused.status_code == 422
    kept = desk.post(f"/officer/privacy/requests/{item_id}", data={
        "csrf_token": csrf_token(form.data), "decision": "kept", "answer": ""})
    assert kept.status_code == 302
    with app.app_context():
        answered = db.session.get(DataRequest, item_id)
        assert answered.status == "kept"
        assert answered.answer.startswith("Dữ liệu được giữ lại vì: Hồ sơ đang được giải quyết")
        assert "Điều 16, khoản 2, điểm b" in answered.answer
        assert db.session.scalar(select(Dossier.applicant_name).where(
            Dossier.code == site["codes"]["mine"])) == "Nguyễn Văn An"


def test_an_accepted_deletion_of_a_withdrawn_dossier_erases_it(app, site) -> None:
    item_id = _request(app, site, "withdrawn", "deletion", "Tôi đã rút hồ sơ")
    desk = _as(app, site, "receiving")
    form = desk.get(f"/officer/privacy/requests/{item_id}")
    assert desk.post(f"/officer/privacy/requests/{item_id}", data={
        "csrf_token": csrf_token(form.data), "decision": "done",
        "answer": ""}).status_code == 302
    with app.app_context():
        gone = db.session.scalar(select(Dossier).where(Dossier.code == site["codes"]["withdrawn"]))
        assert (gone.applicant_name, gone.phone, gone.citizen_id_number) == ("", "", "")
        assert gone.anonymised_at is not None and gone.kept_files == []
        assert not get_file_store().exists(site["w_file"][1])


def test_the_answer_is_due_72_clock_hours_after_the_request(app, site) -> None:
    # 29/4/2026 10:00 in Vietnam, before the 30/4 and 1/5 holidays: the decree counts hours,
    # so the holidays do not push the deadline (due 2/5/2026 10:00, Vietnam time).
    asked = datetime(2026, 4, 29, 3, 0, tzinfo=UTC)
    assert rights.due_at_for(asked) == datetime(2026, 5, 2, 3, 0, tzinfo=UTC)
    item_id = _request(app, site, "mine", "correction", "Sửa tên", asked)
    html = _as(app, site, "receiving").get(f"/officer/privacy/requests/{item_id}")
    assert "10:00 02/05/2026" in html.get_data(as_text=True)
    assert "quá hạn" in html.get_data(as_text=True)  # today is long past May 2026


# --- authorization -------------------------------------------------------------------------

ADMIN_PAGES = ("/officer/privacy/incidents", "/officer/privacy/incidents/new",
               "/officer/privacy/views", "/officer/privacy/views.csv")


@pytest.mark.parametrize("who", ["receiving", "specialist", "leader"])
def test_admin_pages_refuse_other_roles(app, site, who) -> None:
    client = _as(app, site, who)
    for url in ADMIN_PAGES:
        assert client.get(url, buffered=True).status_code == 403, url


@pytest.mark.parametrize("who", ["specialist", "leader"])
def test_the_request_queue_is_the_desks(app, site, who) -> None:
    assert _as(app, site, who).get("/officer/privacy/requests").status_code == 403
    for allowed in ("receiving", "commune_admin"):
        assert _as(app, site, allowed).get("/officer/privacy/requests").status_code == 200


def test_another_communes_objects_are_not_found(app, site) -> None:
    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == site["codes"]["mine"]))
        item = rights.file_request(dossier, "correction", "Sửa tên", datetime.now(UTC))
        incident = Incident(agency_id=site["home"], recorded_by_id=site["ids"]["commune_admin"],
                            summary="Lộ mật khẩu", started_at=datetime.now(UTC),
                            discovered_at=datetime.now(UTC), data_kinds=["id_photos"],
                            scope_codes=[])
        db.session.add(incident)
        db.session.commit()
        ids = (item.id, incident.id)
    other_admin = _as(app, site, "other_admin")
    for url in (f"/officer/privacy/incidents/{ids[1]}",
                f"/officer/privacy/incidents/{ids[1]}/authority.txt",
                f"/officer/privacy/incidents/{ids[1]}/people.csv",
                f"/officer/privacy/requests/{ids[0]}"):
        assert other_admin.get(url, buffered=True).status_code == 404, url
    assert _as(app, site, "other_desk").get(
        f"/officer/privacy/requests/{ids[0]}").status_code == 404
    assert app.test_client().get("/officer/privacy/requests").status_code == 302


# --- breaches ------------------------------------------------------------------------------

def _audit_world(app: Flask, site: dict[str, Any]) -> None:
    """Hand-built audit: the specialist opened the photo of `mine` and the page of `second`
    inside the window, `neighbour`'s file after it; the desk opened `second`'s file inside."""
    with app.app_context():
        codes = site["codes"]
        by_code = {c: db.session.scalar(select(Dossier).where(Dossier.code == c))
                   for c in codes.values()}
        spec, desk, home = site["ids"]["specialist"], site["ids"]["receiving"], site["home"]
        inside = datetime(2026, 5, 4, 2, 30, tzinfo=UTC)
        mine = by_code[codes["mine"]]
        p.audit(spec, home, "view_file", inside, mine, mine.files[0])
        p.audit(spec, home, "view_dossier", inside, by_code[codes["second"]])
        p.audit(spec, home, "view_file", datetime(2026, 5, 4, 6, 0, tzinfo=UTC),
                by_code[codes["neighbour"]], by_code[codes["neighbour"]].files[0])
        p.audit(desk, home, "view_file", inside, by_code[codes["second"]],
                by_code[codes["second"]].files[0])
        db.session.commit()


def test_a_breach_lists_who_was_affected_from_the_audit(app, site) -> None:
    _audit_world(app, site)
    admin = _as(app, site, "commune_admin")
    form = admin.get("/officer/privacy/incidents/new")
    assert form.status_code == 200
    bad = admin.post("/officer/privacy/incidents/new", data={
        "csrf_token": csrf_token(form.data), "summary": "", "started_at": "hôm qua"})
    assert bad.status_code == 422 and is_vietnamese(bad.get_data(as_text=True))
    # Vietnam time: 4/5/2026 from 09:00 to 13:00 (02:00–06:00 UTC, the later view excluded).
    created = admin.post("/officer/privacy/incidents/new", data={
        "csrf_token": csrf_token(form.data), "summary": "Mật khẩu của chuyên viên bị lộ",
        "started_at": "2026-05-04T09:00", "discovered_at": "2026-05-05T08:00",
        "data_kinds": ["id_photos"], "scope_officer": str(site["ids"]["specialist"]),
        "window_start": "2026-05-04T09:00", "window_end": "2026-05-04T13:00",
        "measures": "Đã khoá tài khoản"})
    assert created.status_code == 302, created.get_data(as_text=True)[:2000]
    page = admin.get(created.headers["Location"]).get_data(as_text=True)
    assert site["codes"]["mine"] in page
    for other in ("second", "neighbour", "withdrawn"):
        assert site["codes"][other] not in page
    # 72 hours after 09:00 on 4/5/2026: 09:00 on 7/5/2026, long past.
    assert "09:00 07/05/2026" in page and "Quá hạn" in page
    with app.app_context():
        incident = db.session.scalar(select(Incident))
        incident_id = incident.id
        assert [d.code for d in incidents.affected_dossiers(incident)] == [site["codes"]["mine"]]
        incident.data_kinds = ["id_photos", "personal_fields"]
        db.session.flush()
        # The page views count once personal fields are among the kinds.
        assert [d.code for d in incidents.affected_dossiers(incident)] == sorted(
            [site["codes"]["mine"], site["codes"]["second"]])
        # 04:00 UTC on 6/5 is 11:00 in Vietnam: 22 hours before 09:00 on 7/5.
        before = incidents.clock(incident, datetime(2026, 5, 6, 4, 0, tzinfo=UTC))
        assert (before.left, before.overdue) == (timedelta(hours=22), False)
        db.session.rollback()
    notice = admin.get(f"/officer/privacy/incidents/{incident_id}/authority.txt")
    text = notice.get_data(as_text=True)
    assert "Mẫu số 03" in text and "(A05)" in text
    assert "Số hồ sơ bị ảnh hưởng: 1; số người: 1" in text
    assert "Thời gian xảy ra: 09:00 04/05/2026" in text
    assert "Lý do thông báo sau 72 giờ" in text
    people = admin.get(f"/officer/privacy/incidents/{incident_id}/people.csv", buffered=True)
    rows = list(csv.reader(io.StringIO(people.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r[:3] for r in rows] == [["ma_ho_so", "ho_ten", "so_dien_thoai"],
                                     [site["codes"]["mine"], "Nguyễn Văn An", "0911111111"]]
    page = admin.get(f"/officer/privacy/incidents/{incident_id}")
    assert admin.post(f"/officer/privacy/incidents/{incident_id}/notified", data={
        "csrf_token": csrf_token(page.data), "whom": "authority"}).status_code == 302
    with app.app_context():
        assert db.session.get(Incident, incident_id).authority_notified_at is not None


# --- the report of views -------------------------------------------------------------------

def test_the_views_report_filters_by_officer_dossier_and_dates(app, site) -> None:
    _audit_world(app, site)
    admin = _as(app, site, "commune_admin")
    spec = site["users"]["specialist"]
    csv_of = admin.get(f"/officer/privacy/views.csv?officer={spec}&from=2026-05-04"
                       "&to=2026-05-04", buffered=True)
    rows = list(csv.reader(io.StringIO(csv_of.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows == [
        ["thoi_gian", "tai_khoan", "ho_ten", "ma_ho_so", "tep", "giay_to"],
        ["2026-05-04T09:30:00+07:00", spec, "Cán bộ specialist Xã Tản Hồng",
         site["codes"]["mine"], str(site["photo"]), "Bản sao căn cước"],
        ["2026-05-04T13:00:00+07:00", spec, "Cán bộ specialist Xã Tản Hồng",
         site["codes"]["neighbour"], rows[2][4], "Tờ khai theo mẫu"]]
    by_dossier = admin.get(f"/officer/privacy/views?dossier={site['codes']['second']}"
                           "&from=2026-05-01&to=2026-05-31").get_data(as_text=True)
    assert site["users"]["receiving"] in by_dossier and spec not in by_dossier
    other_day = admin.get("/officer/privacy/views.csv?from=2026-05-05&to=2026-05-06",
                          buffered=True).get_data(as_text=True)
    assert other_day.strip("\ufeff\r\n") == "thoi_gian,tai_khoan,ho_ten,ma_ho_so,tep,giay_to"
    # Another commune's admin sees none of it.
    theirs = _as(app, site, "other_admin").get(
        "/officer/privacy/views.csv?from=2026-05-01&to=2026-05-31", buffered=True)
    assert site["codes"]["mine"] not in theirs.get_data(as_text=True)
