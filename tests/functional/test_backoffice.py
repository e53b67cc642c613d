"""Back-office pages: the inbox and its queues, the dossier page, the counter, the audit
trail and its export, the month's figures."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from app.accounts.models import Officer
from app.backoffice.models import AuditEntry
from app.core.vntime import vietnam_today
from app.dossiers.models import Dossier
from app.extensions import db
from app.places.models import Agency
from app.procedures.models import Procedure
from tests import factories as f
from tests.factories.pages import csrf_token


def _listed(html: str, codes: dict[str, str]) -> set[str]:
    return {key for key, code in codes.items() if code in html}


def test_the_back_office_sends_strangers_to_the_login_page_and_back(client, commune):
    response = client.get("/officer/inbox?queue=overdue")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/officer/login"
    assert parse_qs(location.query)["next"] == ["/officer/inbox?queue=overdue"]


def test_inbox_queues_counts_and_other_communes(app, commune):
    client = f.signed_in(app, commune["desk"])
    codes = commune["codes"]
    html = client.get("/officer/inbox").get_data(as_text=True)
    # A receiving officer starts with the dossiers waiting to be received.
    assert _listed(html, codes) == {"waiting"}
    assert 'aria-current="page">Chờ tiếp nhận <span class="count">1</span>' in html
    for queue, expected in (("processing", {"overdue", "soon"}), ("approval", {"later"}),
                            ("result", {"ready"}), ("supplement", {"supplement"}),
                            ("overdue", {"overdue"}), ("due_soon", {"soon"}),
                            ("all", set(codes) - {"theirs"})):
        page = client.get(f"/officer/inbox?queue={queue}").get_data(as_text=True)
        assert _listed(page, codes) == expected, queue
        assert f'<span class="count">{len(expected)}</span>' in page
    processing = client.get("/officer/inbox?queue=processing").get_data(as_text=True)
    # Sorted by due date: the overdue one first.
    assert processing.index(codes["overdue"]) < processing.index(codes["soon"])
    assert "quá hạn" in processing and "sắp đến hạn" in processing


def test_inbox_search_is_accent_insensitive_and_finds_phone_and_code(app, commune):
    client = f.signed_in(app, commune["desk"])
    codes = commune["codes"]
    for q, expected in (("tran van duc", {"waiting"}), ("ĐỨC", {"waiting"}),
                        ("hang", {"ready"}), ("0987 654 321", {"waiting"}),
                        ("+84987654321", {"waiting"}), (codes["later"].lower(), {"later"}),
                        ("không ai tên này", set()), ("%", set())):
        html = client.get("/officer/inbox", query_string={"q": q}).get_data(as_text=True)
        assert _listed(html, codes) == expected, q


def test_inbox_filters(app, commune):
    client = f.signed_in(app, commune["desk"])
    codes = commune["codes"]
    today = vietnam_today()
    for args, expected in (
            ({"procedure": commune["proc2_id"]}, {"soon"}),
            ({"field": "Chứng thực"}, {"soon"}),
            ({"village": commune["village_id"]}, {"waiting"}),
            ({"channel": "counter"}, {"soon"}),
            ({"from": today.isoformat(), "to": today.isoformat()}, set(codes) - {"theirs"}),
            ({"to": (today - timedelta(days=3)).isoformat()}, set()),
            ({"procedure": "x", "village": "-1", "channel": "fax"}, set(codes) - {"theirs"})):
        html = client.get("/officer/inbox", query_string={"queue": "all", **args}).get_data(
            as_text=True)
        assert _listed(html, codes) == expected, args
    specialist = f.signed_in(app, commune["specialist"])
    mine = specialist.get("/officer/inbox?queue=all&mine=1").get_data(as_text=True)
    assert _listed(mine, codes) == {"overdue"}


def test_inbox_pages_through_many_dossiers(app, commune):
    with app.app_context():
        home = db.session.get(Agency, commune["home_id"])
        proc = db.session.get(Procedure, commune["proc_id"])
        for i in range(30):
            f.dossier(home, proc, "submitted", name=f"Người nộp số {i}",
                      submitted_at=datetime(2026, 3, 1, tzinfo=UTC) + timedelta(minutes=i))
        db.session.commit()
    client = f.signed_in(app, commune["desk"])
    first = client.get("/officer/inbox").get_data(as_text=True)
    second = client.get("/officer/inbox?page=2").get_data(as_text=True)
    assert first.count("Người nộp số") == 25 and second.count("Người nộp số") == 5
    assert "trang 1/2" in first and 'rel="next"' in first and 'rel="prev"' in second
    # Oldest first while nothing has a due date yet.
    assert first.index("Người nộp số 0<") < first.index("Người nộp số 1<")


def test_dossier_page_shows_the_file_answers_and_records_the_view(app, commune):
    client = f.signed_in(app, commune["desk"])
    code = commune["codes"]["waiting"]
    response = client.get(f"/officer/dossiers/{code}")
    html = response.get_data(as_text=True)
    assert "no-store" in response.headers["Cache-Control"]
    assert "Trần Văn Đức" in html and "001190012345" in html
    assert "Mục đích sử dụng" in html and "Đã từng kết hôn" in html  # labels, not keys
    assert "Miễn phí" in html  # the fee line: this procedure is free
    file_url = f"/officer/dossiers/{code}/files/{commune['file_id']}"
    assert f'<img src="{file_url}"' in html
    image = client.get(file_url)
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert "no-store" in image.headers["Cache-Control"]
    assert "attachment" not in image.headers.get("Content-Disposition", "")
    # A file id of another dossier, through this dossier's URL, is not found.
    other = commune["codes"]["overdue"]
    assert client.get(f"/officer/dossiers/{other}/files/{commune['file_id']}"
                      ).status_code == 404
    with app.app_context():
        rows = db.session.execute(select(AuditEntry.what, AuditEntry.file_id)
                                  .order_by(AuditEntry.id)).all()
    assert rows == [("view_dossier", None), ("view_file", commune["file_id"])]


def test_counter_intake_creates_a_received_counter_dossier_once(app, commune):
    client = f.signed_in(app, commune["desk"])
    page = client.get("/officer/counter/new").get_data(as_text=True)
    key = page.split('name="idempotency_key" value="')[1].split('"')[0]
    form = {"csrf_token": csrf_token(page), "idempotency_key": key,
            "procedure": str(commune["proc_id"]), "applicant_name": "Hoàng Văn Tư",
            "citizen_id": "001090012345", "phone": "0912 000 111",
            "address": "Thôn Hai, xã Tản Hồng", "village": str(commune["village_id"])}
    bad = client.post("/officer/counter/new", data={**form, "phone": "12"})
    assert bad.status_code == 422 and "error-summary" in bad.get_data(as_text=True)
    first = client.post("/officer/counter/new", data=form)
    again = client.post("/officer/counter/new", data=form)  # a double click
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    assert "slip=receipt" in first.headers["Location"]
    with app.app_context():
        made = db.session.scalars(select(Dossier).where(Dossier.channel == "counter",
                                                        Dossier.phone == "0912000111")).all()
        assert len(made) == 1
        d = made[0]
        assert d.status == "received" and d.due_date and d.receiving_officer_id
        assert [e.action for e in d.events] == ["submit", "receive"]
    slip = client.get(first.headers["Location"].replace("?slip=receipt", "") +
                      "/slips/receipt?format=80mm")
    assert slip.status_code == 200 and "Hoàng Văn Tư" in slip.get_data(as_text=True)
    # The timeline says where the papers were handed in, not "online".
    view = client.get(first.headers["Location"].replace("?slip=receipt", ""))
    assert "Nộp hồ sơ tại bộ phận một cửa" in view.get_data(as_text=True)
    assert "Nộp hồ sơ trực tuyến" not in view.get_data(as_text=True)


def test_audit_export_lists_views_and_actions_of_this_commune_only(app, commune):
    desk = f.signed_in(app, commune["desk"])
    code = commune["codes"]["waiting"]
    desk.get(f"/officer/dossiers/{code}")
    form = f.action_form(desk, code)
    desk.post(f"/officer/dossiers/{code}/actions/receive", data=form)
    other_desk = f.signed_in(app, "receiving.vanhung")
    other_desk.get(f"/officer/dossiers/{commune['codes']['theirs']}")
    with app.app_context():  # a name that a spreadsheet would run as a formula
        officer = db.session.scalar(select(Officer).where(
            Officer.username == commune["desk"]))
        officer.full_name = "=HYPERLINK(\"http://x\")"
        db.session.commit()
    admin = f.signed_in(app, *commune["admin"])
    today = vietnam_today().isoformat()
    response = admin.get(f"/officer/audit.csv?from={today}&to={today}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][0] == "thoi_gian"
    mine = [r for r in rows[1:] if r[1] == commune["desk"]]
    assert [r[4] for r in mine] == ["view_dossier", "view_dossier", "action:receive"]
    assert all(r[5] == code for r in mine)
    assert mine[0][2] == "'=HYPERLINK(\"http://x\")"  # neutralised
    assert "receiving.vanhung" not in text  # another commune's trail stays there
    assert admin.get("/officer/audit.csv?from=2026-03-02&to=2026-03-01").status_code == 400


def test_audit_rows_cannot_be_rewritten(app, commune):
    client = f.signed_in(app, commune["desk"])
    client.get(f"/officer/dossiers/{commune['codes']['waiting']}")
    from app.backoffice.models import AppendOnlyError

    with app.app_context():
        entry = db.session.scalar(select(AuditEntry))
        entry.what = "nothing"
        with pytest.raises(AppendOnlyError):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.scalar(select(AuditEntry)))
        with pytest.raises(AppendOnlyError):
            db.session.flush()
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 1


def test_dashboard_figures_on_a_small_hand_made_month(app, commune):
    """March 2026, seen on 20 March, in a commune of its own: three received this month;
    finished one early, one on time, one late; one overdue now."""
    with app.app_context():
        home = f.agency("thuha", "Xã Thử Hà", "000.99.99.H99")
        proc = db.session.get(Procedure, commune["proc_id"])
        desk, spec = f.officer(home, "receiving"), f.officer(home, "specialist")

        def at(day: int, hour: int = 2) -> datetime:  # 02:00 UTC is 09:00 in Vietnam
            return datetime(2026, 3, day, hour, tzinfo=UTC)

        mine = {"receiving_officer_id": desk.id}
        f.dossier(home, proc, "returned", received_at=at(2), due_date=date(2026, 3, 5),
                  finished_at=at(4), assigned_officer_id=spec.id, **mine)  # early
        # 20:00 UTC on the 6th is already 03:00 on the 7th in Vietnam: one day late.
        f.dossier(home, proc, "result_ready", received_at=at(3), due_date=date(2026, 3, 6),
                  finished_at=at(6, 20), **mine)
        f.dossier(home, proc, "in_progress", received_at=at(10), due_date=date(2026, 3, 13),
                  assigned_officer_id=spec.id, **mine)  # overdue on the 20th
        # Received in February, finished on its due date in March: on time, not received.
        f.dossier(home, proc, "returned", received_at=datetime(2026, 2, 20, tzinfo=UTC),
                  due_date=date(2026, 3, 2), finished_at=at(2, 1),
                  assigned_officer_id=spec.id, **mine)
        db.session.commit()
        from app.backoffice.queries import dashboard

        figures = dashboard(home.id, date(2026, 3, 20))
        by_spec, by_desk = figures.by_officer[spec.id], figures.by_officer[desk.id]
    c = figures.commune
    assert (c.received, c.early, c.on_time, c.late, c.overdue) == (3, 1, 1, 1, 1)
    assert (by_spec.received, by_spec.early, by_spec.on_time, by_spec.late,
            by_spec.overdue) == (0, 1, 1, 0, 1)
    assert (by_desk.received, by_desk.finished, by_desk.late) == (3, 1, 1)
    client = f.signed_in(app, commune["desk"])
    html = client.get("/officer/dashboard").get_data(as_text=True)
    assert "Toàn xã" in html and "Trễ hạn" in html


def test_every_back_office_page_has_one_heading_and_no_inline_style(app, commune):
    admin = f.signed_in(app, *commune["admin"])
    code = commune["codes"]["later"]
    for url in ("/officer/inbox", "/officer/inbox?queue=all&q=x", "/officer/dashboard",
                "/officer/counter/new", f"/officer/dossiers/{code}",
                f"/officer/dossiers/{code}/slips/control",
                f"/officer/dossiers/{code}/slips/control?format=80mm"):
        html = admin.get(url).get_data(as_text=True)
        assert html.count("<h1") == 1, url
        assert " style=" not in html and "<style" not in html, url
        assert "<script>" not in html, url
