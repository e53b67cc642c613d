"""The one-stop workflow through the back office's HTTP actions: receipt with its due date,
supplement and the clock restarting, processing and approval, the result, the apology, the
slips, and two officers deciding the same dossier at once."""

from __future__ import annotations

import re
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import Officer
from app.backoffice import queries, services
from app.backoffice.forms import ActionInput
from app.backoffice.models import AuditEntry
from app.core.workdays import due_date_for, load_calendar
from app.dossiers.models import Dossier, DossierEvent, DossierFile
from app.extensions import db
from app.places.models import Agency
from app.procedures.models import Procedure
from tests import factories as f

VN = "+07:00"


@pytest.fixture
def desk(app):
    """One commune with a 3-working-day procedure, one officer per working role."""
    with app.app_context():
        home = f.agency("tanhong", "Xã Tản Hồng", "000.31.12.H26")
        proc = f.procedure([home])
        people = {role: f.officer(home, role).username
                  for role in ("receiving", "specialist", "leader")}
        admin = f.officer(home, "commune_admin")
        people["commune_admin"] = admin.username
        secrets = {"commune_admin": admin.totp_secret}
        d = f.dossier(home, proc, "submitted")
        db.session.commit()
        return {"code": d.code, "people": people, "secrets": secrets,
                "doc_ids": [doc.id for doc in proc.documents]}


def _as(app, desk, role):
    client = app.test_client()
    f.login(client, desk["people"][role], desk["secrets"].get(role))
    return client


def _post(client, code, action, **fields):
    form = f.action_form(client, code)
    return client.post(f"/officer/dossiers/{code}/actions/{action}", data={**form, **fields})


def _dossier(app, code) -> Dossier:
    with app.app_context():
        found = db.session.scalar(select(Dossier).where(Dossier.code == code))
        db.session.expunge(found)
        return found


def _events(app, code) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(
            select(DossierEvent.action).join(Dossier).where(Dossier.code == code)
            .order_by(DossierEvent.id)))


def test_a_dossier_goes_from_receipt_to_return(app, desk):
    code = desk["code"]
    desk_client, specialist, leader = (_as(app, desk, r)
                                       for r in ("receiving", "specialist", "leader"))

    page = desk_client.get(f"/officer/dossiers/{code}").get_data(as_text=True)
    # Only what the receiving officer may do in "submitted" is offered.
    assert "Tiếp nhận hồ sơ" in page and "Từ chối tiếp nhận" in page
    assert "Trình lãnh đạo ký duyệt" not in page and "Lãnh đạo phê duyệt" not in page

    response = _post(desk_client, code, "receive")
    assert response.status_code == 302 and "slip=receipt" in response.headers["Location"]
    received = _dossier(app, code)
    with app.app_context():
        expected_due = due_date_for(received.received_at, 3, calendar=load_calendar())
    assert received.status == "received" and received.due_date == expected_due
    page = desk_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Phiếu tiếp nhận hồ sơ và hẹn trả kết quả" in page

    specialist_id = _officer_id(app, desk["people"]["specialist"])
    assert _post(desk_client, code, "assign", officer_id=specialist_id).status_code == 302
    assert _dossier(app, code).assigned_officer_id == specialist_id
    assert _post(specialist, code, "submit_for_approval", note="Đủ điều kiện").status_code == 302
    # Sending back needs the leader's reason.
    refused = _post(leader, code, "send_back", note="")
    assert refused.status_code == 422 and "Vui lòng ghi lý do" in refused.get_data(as_text=True)
    assert _dossier(app, code).status == "awaiting_approval"
    assert _post(leader, code, "send_back", note="Bổ sung xác minh").status_code == 302
    assert _post(specialist, code, "submit_for_approval").status_code == 302
    assert _post(leader, code, "approve", result_mode="paper").status_code == 302
    assert _dossier(app, code).finished_at is not None
    assert _post(desk_client, code, "return_result",
                 **f.COLLECTED_BY_RELATIVE).status_code == 302
    done = _dossier(app, code)
    assert done.status == "returned" and done.returned_at is not None
    assert _events(app, code) == ["submit", "receive", "assign", "submit_for_approval",
                                  "send_back", "submit_for_approval", "approve",
                                  "return_result"]
    timeline = desk_client.get(f"/officer/dossiers/{code}").get_data(as_text=True)
    assert "Bổ sung xác minh" in timeline and "Lãnh đạo phê duyệt" in timeline
    assert "Xử lý hồ sơ" not in timeline  # nothing is left to do


def _officer_id(app, username) -> int:
    with app.app_context():
        return db.session.scalar(select(Officer.id).where(Officer.username == username))


def test_reject_needs_a_reason_and_issues_the_refusal_slip(app, desk):
    client = _as(app, desk, "receiving")
    code = desk["code"]
    assert _post(client, code, "reject", note="  ").status_code == 422
    assert _post(client, code, "reject", note="Không thuộc thẩm quyền của xã").status_code == 302
    slip = client.get(f"/officer/dossiers/{code}/slips/rejection").get_data(as_text=True)
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in slip
    assert "Không thuộc thẩm quyền của xã" in slip


def test_supplement_during_processing_restarts_the_clock(app, desk):
    code = desk["code"]
    client = _as(app, desk, "receiving")
    _post(client, code, "receive")
    specialist = _as(app, desk, "specialist")
    _post(client, code, "assign", officer_id=_officer_id(app, desk["people"]["specialist"]))
    missing = desk["doc_ids"][1]
    empty = _post(specialist, code, "request_supplement", note="")
    assert empty.status_code == 422 and "giấy tờ còn thiếu" in empty.get_data(as_text=True)
    assert _post(specialist, code, "request_supplement", missing=missing,
                 note="Ảnh căn cước bị mờ").status_code == 302
    slip = specialist.get(f"/officer/dossiers/{code}/slips/supplement").get_data(as_text=True)
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in slip
    assert "Bản sao căn cước" in slip and "Ảnh căn cước bị mờ" in slip

    # The citizen answers a week later: the time limit counts again from that day.
    later = datetime.now(UTC) + timedelta(days=7)
    with app.app_context():
        from app.dossiers import workflow

        found = db.session.scalar(select(Dossier).where(Dossier.code == code))
        workflow.apply(found, "resubmit", workflow.Actor.citizen(), at=later, note="Ảnh mới")
        db.session.commit()
        expected = due_date_for(later, 3, calendar=load_calendar())
    back = _dossier(app, code)
    assert back.status == "in_progress" and back.due_date == expected


def _received_and_assigned(app, desk):
    """The desk's dossier received and handed to its specialist: its code, and the
    specialist's client."""
    code = desk["code"]
    client = _as(app, desk, "receiving")
    _post(client, code, "receive")
    _post(client, code, "assign", officer_id=_officer_id(app, desk["people"]["specialist"]))
    return code, _as(app, desk, "specialist")


def test_result_online_needs_a_file_and_keeps_it_as_the_result(app, desk):
    code, specialist = _received_and_assigned(app, desk)
    missing_file = _post(specialist, code, "mark_result_ready", result_mode="online")
    assert missing_file.status_code == 422
    assert "tệp kết quả" in missing_file.get_data(as_text=True)
    from io import BytesIO

    form = f.action_form(specialist, code)
    response = specialist.post(
        f"/officer/dossiers/{code}/actions/mark_result_ready",
        data={**form, "result_mode": "online",
              "result_file": (BytesIO(f.pdf()), "ket-qua.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        kinds = list(db.session.scalars(select(DossierFile.kind).join(Dossier)
                                        .where(Dossier.code == code)))
    assert kinds == ["result"]
    assert _dossier(app, code).status == "result_ready"


def test_paper_result_is_collected_at_the_hall(app, desk):
    code, specialist = _received_and_assigned(app, desk)
    assert _post(specialist, code, "mark_result_ready", result_mode="paper").status_code == 302
    with app.app_context():
        event = db.session.scalar(select(DossierEvent).where(
            DossierEvent.action == "mark_result_ready"))
        assert event.data["result_mode"] == "paper"


def test_apology_sets_a_new_date_only_before_the_due_date(app, desk):
    code = desk["code"]
    client = _as(app, desk, "receiving")
    _post(client, code, "receive")
    with app.app_context():  # the appointment is tomorrow: still time to apologise
        found = db.session.scalar(select(Dossier).where(Dossier.code == code))
        found.due_date = queries_today() + timedelta(days=1)
        db.session.commit()
    old_due = _dossier(app, code).due_date
    new_due = old_due + timedelta(days=4)
    same_day = _post(client, code, "apologize", note="Chờ xác minh", new_due_date=old_due)
    assert same_day.status_code == 422
    assert _post(client, code, "apologize", note="Chờ xác minh nơi cư trú",
                 new_due_date=new_due.isoformat()).status_code == 302
    assert _dossier(app, code).due_date == new_due
    slip = client.get(f"/officer/dossiers/{code}/slips/apology").get_data(as_text=True)
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in slip
    assert old_due.strftime("%d/%m/%Y") in slip and new_due.strftime("%d/%m/%Y") in slip
    assert "Chờ xác minh nơi cư trú" in slip

    with app.app_context():  # the (new) due date is today: too late for an apology slip
        found = db.session.scalar(select(Dossier).where(Dossier.code == code))
        found.due_date = queries_today()
        db.session.commit()
    page = client.get(f"/officer/dossiers/{code}").get_data(as_text=True)
    assert "Xin lỗi và hẹn lại ngày trả kết quả" not in page.split("Phiếu in")[0]
    late = _post(client, code, "apologize", note="Muộn", new_due_date=new_due + timedelta(9))
    assert late.status_code == 403


def queries_today() -> date:
    from app.core.vntime import vietnam_today

    return vietnam_today()


def test_due_dates_and_timeliness_across_tet_2026(app, desk):
    """Tết Bính Ngọ: offices close Sat 14 – Sun 22 February 2026. A 3-working-day dossier
    received on Thursday 12 February is due Tuesday 24 February (13, 23, 24)."""
    received_at = datetime.fromisoformat(f"2026-02-12T10:00:00{VN}")
    verdicts = {}
    for finished_on, verdict in (("2026-02-23T16:00:00", "early"),
                                 ("2026-02-24T16:59:00", "on_time"),
                                 ("2026-02-25T08:00:00", "late")):
        with app.app_context():
            home = db.session.scalar(select(Agency))
            proc = db.session.scalar(select(Procedure))
            desk_officer = db.session.scalar(select(Officer).where(Officer.role == "receiving"))
            specialist = db.session.scalar(select(Officer).where(Officer.role == "specialist"))
            d = f.dossier(home, proc, "submitted",
                          submitted_at=received_at - timedelta(hours=1))
            services.take_action(d, "receive", desk_officer, ActionInput(), at=received_at)
            assert d.due_date == date(2026, 2, 24)
            services.take_action(d, "assign", desk_officer,
                                 ActionInput(data={"officer_id": specialist.id}),
                                 at=received_at)
            finished = datetime.fromisoformat(finished_on + VN)
            event = services.take_action(d, "mark_result_ready", specialist,
                                         ActionInput(data={"result_mode": "paper"}),
                                         at=finished)
            verdicts[verdict] = event.data["timeliness"]
            db.session.commit()
    assert verdicts == {"early": "early", "on_time": "on_time", "late": "late"}

    # Received on the first day of Tết (a holiday): counted from Monday 23 February.
    with app.app_context():
        assert due_date_for(datetime.fromisoformat(f"2026-02-17T09:00:00{VN}"), 3,
                            calendar=load_calendar()) == date(2026, 2, 26)
        # The month's figures for February 2026, per officer and for the commune.
        home = db.session.scalar(select(Agency))
        figures = queries.dashboard(home.id, date(2026, 2, 27))
    assert (figures.commune.received, figures.commune.early, figures.commune.on_time,
            figures.commune.late) == (3, 1, 1, 1)


def test_slips_carry_the_official_names_code_and_a_qr(app, desk):
    code = desk["code"]
    client = _as(app, desk, "receiving")
    assert client.get(f"/officer/dossiers/{code}/slips/receipt").status_code == 404
    _post(client, code, "receive")
    for kind, title in (("receipt", "PHIẾU TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"),
                        ("control", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ")):
        for fmt, css in (("", "slip-a4"), ("?format=80mm", "slip-80mm")):
            html = client.get(f"/officer/dossiers/{code}/slips/{kind}{fmt}").get_data(
                as_text=True)
            assert title in html and code in html and "Nguyễn Thị Hoà" in html
            assert css in html and "<svg" in html and "UBND XÃ TẢN HỒNG" in html
            assert "Ký và ghi rõ họ tên" in html
            # The QR opens the public tracking page; the secret link never goes on paper.
            assert f"/track?code={code}" in html and f.SECRET not in html
    assert client.get(f"/officer/dossiers/{code}/slips/apology").status_code == 404


@pytest.mark.committed
def test_two_officers_receiving_at_once_make_exactly_one_move(app, desk):
    """Both pages were opened on version 1; both press "receive" at the same moment."""
    code = desk["code"]
    clients = [_as(app, desk, "receiving"), _as(app, desk, "commune_admin")]
    forms = [f.action_form(c, code) for c in clients]
    barrier = threading.Barrier(2)
    results: list[tuple[int, str]] = []

    def press(client, form):
        barrier.wait()
        response = client.post(f"/officer/dossiers/{code}/actions/receive", data=form)
        results.append((response.status_code, response.get_data(as_text=True)))

    threads = [threading.Thread(target=press, args=pair) for pair in zip(clients, forms,
                                                                        strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    statuses = sorted(s for s, _ in results)
    assert statuses == [302, 409], statuses
    loser = next(body for s, body in results if s == 409)
    assert "Hồ sơ này vừa được người khác xử lý. Vui lòng xem lại trạng thái mới." in loser
    assert _events(app, code).count("receive") == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.what == "action:receive")) == 1


def test_a_stale_page_cannot_move_the_dossier_again(app, desk):
    code = desk["code"]
    client = _as(app, desk, "receiving")
    stale = f.action_form(client, code)
    assert client.post(f"/officer/dossiers/{code}/actions/receive", data=stale
                       ).status_code == 302
    again = client.post(f"/officer/dossiers/{code}/actions/reject",
                        data={**stale, "note": "Thiếu giấy tờ"})
    assert again.status_code == 409
    assert re.search(r"vừa được người khác xử lý", again.get_data(as_text=True))
    assert _dossier(app, code).status == "received"
