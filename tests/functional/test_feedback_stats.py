"""Public statistics, the hall display and the monthly report on a small fixed year (2025)
whose expected figures were worked out by hand, across the Tết and 30/4–1/5 holidays and the
Saturday worked in exchange (26/04/2025)."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select, update

from app.accounts.models import Officer
from app.core.vntime import VIETNAM
from app.dossiers.models import Dossier
from app.dossiers.workflow import Actor, apply
from app.extensions import db
from app.feedback import rollup, services
from app.feedback.models import Counter, Rating, StatsDaily
from app.places.models import Agency
from app.procedures.models import Procedure
from tests.factories.dossiers import COLLECTED_BY_RELATIVE
from tests.factories.officers import sign_in
from tests.factories.world import World


def vn(y: int, m: int, d: int, h: int = 9) -> datetime:
    """A moment on Vietnam's clock, in UTC as the app stores every time (SQLite keeps no
    offset)."""
    return datetime(y, m, d, h, 0, tzinfo=VIETNAM).astimezone(UTC)


# code: (procedure, channel, submitted, [(action, officer role, moment)]).
# T.0001 (Hộ tịch) takes 3 working days; T.0002 (Đất đai) is a same-day procedure.
DATA: dict[str, tuple[str, str, datetime, list[tuple[str, str, datetime]]]] = {
    # Received Tue 29/4; 30/4, 1/5 and the swapped 2/5 are off: due Wed 7/5. Done 6/5: early.
    "D1": ("T.0001", "online", vn(2025, 4, 29), [
        ("receive", "receiving", vn(2025, 4, 29, 10)),
        ("mark_result_ready", "specialist", vn(2025, 5, 6, 14)),
        ("return_result", "receiving", vn(2025, 5, 6, 15))]),
    # Received Fri 25/4 16:00; Saturday 26/4 was worked: due Tue 29/4, done then: on time.
    "D2": ("T.0001", "counter", vn(2025, 4, 25, 16), [
        ("receive", "receiving", vn(2025, 4, 25, 16)),
        ("mark_result_ready", "specialist", vn(2025, 4, 29, 11)),
        ("return_result", "receiving", vn(2025, 4, 29, 12))]),
    # Received Fri 24/1; Tết 27/1–1/2: due Wed 5/2. Done Thu 6/2: late.
    "D3": ("T.0001", "online", vn(2025, 1, 24), [
        ("receive", "receiving", vn(2025, 1, 24, 9)),
        ("mark_result_ready", "specialist", vn(2025, 2, 6, 8))]),
    # Same day, received on National Day (1/9); 2/9 is off too: due Wed 3/9, done then.
    "D4": ("T.0002", "online", vn(2025, 9, 1, 10), [
        ("receive", "receiving", vn(2025, 9, 1, 10)),
        ("mark_result_ready", "specialist", vn(2025, 9, 3, 9))]),
    # Same day received after 15:00: due Thu 4/9. Done Wed 3/9 17:00: early.
    "D5": ("T.0002", "counter", vn(2025, 9, 3, 16), [
        ("receive", "receiving", vn(2025, 9, 3, 16)),
        ("mark_result_ready", "specialist", vn(2025, 9, 3, 17))]),
    "D6": ("T.0001", "online", vn(2025, 3, 10), [("reject", "receiving", vn(2025, 3, 10, 11))]),
    "D7": ("T.0001", "online", vn(2025, 3, 11), [("withdraw", "citizen", vn(2025, 3, 12))]),
    # Received 30/12/2025, due that day, still open: overdue now.
    "D8": ("T.0002", "online", vn(2025, 12, 30), [("receive", "receiving", vn(2025, 12, 30))]),
}
RATINGS = {"D1": ("satisfied", vn(2025, 5, 6, 16)), "D2": ("not_satisfied", vn(2025, 4, 29, 13)),
           "D6": ("neutral", vn(2025, 3, 10, 12))}
KIOSK = [("satisfied", vn(2025, 4, 29, 10)), ("satisfied", vn(2025, 4, 29, 11))]

# Worked out by hand from the rows above.
TOTAL = {"received": 8, "received_online": 6, "finished": 5, "finished_early": 2,
         "finished_on_time": 2, "finished_late": 1, "returned": 2, "rejected": 1,
         "withdrawn": 1, "rated": 5, "rated_satisfied": 3, "rated_neutral": 1,
         "rated_not_satisfied": 1, "timely_share": 0.8, "online_share": 0.75,
         "satisfaction": 0.6}
MONTHS = {  # month: (received, online, early, on time, late, satisfied, neutral, not)
    "2025-01": (1, 1, 0, 0, 0, 0, 0, 0), "2025-02": (0, 0, 0, 0, 1, 0, 0, 0),
    "2025-03": (2, 2, 0, 0, 0, 0, 1, 0), "2025-04": (2, 1, 0, 1, 0, 2, 0, 1),
    "2025-05": (0, 0, 1, 0, 0, 1, 0, 0), "2025-06": (0,) * 8, "2025-07": (0,) * 8,
    "2025-08": (0,) * 8, "2025-09": (2, 1, 1, 1, 0, 0, 0, 0), "2025-10": (0,) * 8,
    "2025-11": (0,) * 8, "2025-12": (1, 1, 0, 0, 0, 0, 0, 0)}
FIELDS = {"Hộ tịch": (5, 4, 1, 1, 1, 1, 1, 1), "Đất đai": (3, 2, 1, 1, 0, 0, 0, 0),
          "": (0, 0, 0, 0, 0, 2, 0, 0)}
MONTH_KEYS = ("received", "received_online", "finished_early", "finished_on_time",
              "finished_late", "rated_satisfied", "rated_neutral", "rated_not_satisfied")


@pytest.fixture
def year(app: Flask, world: World) -> World:
    with app.app_context():
        agency = db.session.scalar(select(Agency).where(Agency.slug == world.agency_slug))
        officers = {role: db.session.get(Officer, i) for role, i in world.officers.items()}
        counter = Counter(agency_id=agency.id, name="Quầy 1",
                          officer_id=world.officers["receiving"])
        db.session.add(counter)
        for n, (code, (proc, channel, submitted, moves)) in enumerate(DATA.items()):
            procedure = db.session.scalar(select(Procedure).where(Procedure.code == proc))
            dossier = Dossier(code=f"{code}-2025", procedure=procedure, agency=agency,
                              applicant_name="Người Thử", applicant_name_folded="nguoi thu",
                              citizen_id_number="001090123456", phone="0912345678",
                              channel=channel, tracking_secret_hash=f"{n:064d}")
            apply(dossier, "submit", Actor.citizen(), at=submitted)
            db.session.add(dossier)
            db.session.flush()
            for action, role, at in moves:
                actor = Actor.citizen() if role == "citizen" else Actor.for_officer(
                    officers[role])
                if action == "mark_result_ready":
                    apply(dossier, "assign", Actor.for_officer(officers["receiving"]), at=at,
                          officer_id=officers["specialist"].id)
                extra = COLLECTED_BY_RELATIVE if action == "return_result" else {}
                apply(dossier, action, actor, at=at, note="Lý do", **extra)
            db.session.flush()
            if code in RATINGS:
                score, at = RATINGS[code]
                services.rate_dossier(dossier, score, {}, f"Ý kiến {code}", now=at)
        db.session.flush()
        for n, (score, at) in enumerate(KIOSK):
            services.record_kiosk_rating(counter, f"00000000-0000-4000-8000-00000000000{n}",
                                         score, world.officers["receiving"], at, now=at)
        db.session.commit()
    return world


def _same(value: Any) -> Any:
    """A cell as a number when it is one, so 1 (XLSX) and "1.0" (CSV) compare equal."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def _num(text: str) -> Any:
    return float(text) if "." in text else int(text) if text else None


def test_json_holds_the_hand_computed_year(client, year):
    data = client.get(f"/api/v1/stats/{year.agency_slug}?year=2025").get_json()
    assert {k: data["total"][k] for k in TOTAL} == TOTAL
    months = {m["month"]: tuple(m[k] for k in MONTH_KEYS) for m in data["by_month"]}
    assert months == MONTHS
    assert {f["field"]: tuple(f[k] for k in MONTH_KEYS) for f in data["by_field"]} == FIELDS
    # Live figures: the dossier received on 30/12/2025 is still open and past its date.
    assert (data["running"], data["overdue_now"]) == (1, 1)


def test_csv_and_page_agree_with_the_same_table(client, year):
    response = client.get(f"/stats/{year.agency_slug}.csv?year=2025")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    head = rows[0]
    table = {(r[0], r[1]): dict(zip(head[2:], map(_num, r[2:]), strict=True)) for r in rows[1:]}
    assert {k: table[("total", "2025")][k] for k in TOTAL} == TOTAL
    for month, expected in MONTHS.items():
        assert tuple(table[("month", month)][k] for k in MONTH_KEYS) == expected
    for name, expected in FIELDS.items():
        assert tuple(table[("field", name)][k] for k in MONTH_KEYS) == expected

    html = client.get(f"/stats/{year.agency_slug}?year=2025").get_data(as_text=True)
    assert html.count("<h1") == 1 and "<svg" in html and 'style="' not in html
    # The year's row of the monthly table: received, online, finished, early, on time, late,
    # timely share, ratings, satisfaction.
    assert ("<tr><th scope=\"row\">Cả năm</th><td>8</td><td>6</td><td>5</td><td>2</td>"
            "<td>2</td><td>1</td><td>80,0 %</td><td>5</td><td>60,0 %</td></tr>") in html
    assert ("<tr><th scope=\"row\">04/2025</th><td>2</td><td>1</td><td>1</td><td>0</td>"
            "<td>1</td><td>0</td><td>100,0 %</td><td>3</td><td>66,7 %</td></tr>") in html
    assert "Thanh toán trực tuyến" in html


def test_province_adds_its_communes(client, year):
    data = client.get("/api/v1/stats/tinh?year=2025").get_json()
    assert {k: data["total"][k] for k in TOTAL} == TOTAL
    communes = {c["slug"]: c for c in data["communes"]}
    assert communes["xa-a"]["received"] == 8 and communes["xa-b"]["received"] == 0
    assert client.get("/stats?year=2025").status_code == 200


def test_the_rollup_kept_by_the_workflow_equals_a_rebuild(app, year):
    with app.app_context():
        kept = rollup.snapshot(db.session())
        rollup.rebuild(db.session())
        assert rollup.snapshot(db.session()) == kept
        db.session.rollback()


def test_display_json_is_compact_and_lists_ready_codes_only(app, client, year):
    page = client.get(f"/display/{year.agency_slug}")
    assert page.status_code == 200 and "display.js" in page.get_data(as_text=True)
    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == "D3-2025"))
        assert dossier.status == "result_ready"
    live = client.get(f"/display/{year.agency_slug}/live.json")
    data = live.get_json()
    assert data["ready"] == ["D4-2025", "D5-2025", "D3-2025"] or set(data["ready"]) == {
        "D3-2025", "D4-2025", "D5-2025"}
    assert "Người Thử" not in live.get_data(as_text=True)
    assert set(data) == {"day", "day_label", "today", "month", "ready"}
    again = client.get(f"/display/{year.agency_slug}/live.json",
                       headers={"If-None-Match": live.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert live.headers["ETag"].strip('"') == hashlib.sha256(live.data).hexdigest()[:16]


def test_monthly_report_screen_csv_and_xlsx_hold_the_same_numbers(app, client, year):
    sign_in(app, client, "commune_admin.a")
    html = client.get("/officer/reports/monthly?month=2025-04").get_data(as_text=True)
    assert html.count("<h1") == 1
    csv_text = client.get("/officer/reports/monthly?month=2025-04&format=csv")
    rows = list(csv.reader(io.StringIO(csv_text.get_data(as_text=True).lstrip("\ufeff"))))
    book = load_workbook(io.BytesIO(client.get(
        "/officer/reports/monthly?month=2025-04&format=xlsx").data))
    sheet = [[("" if v is None else v) for v in line] for line in
             book.worksheets[0].iter_rows(values_only=True)]
    assert [[_same(v) for v in line] for line in sheet] == [[_same(v) for v in line]
                                                             for line in rows]
    by_name = {line[0]: line for line in sheet[1:]}
    # April: D1 and D2 received (handled by the desk and the specialist), D2 finished on
    # time; ratings: D2 not satisfied, two kiosk taps for the officer on duty.
    assert by_name["Xã A"][1:10] == [2, 1, 1, 0, 1, 2, 0, 1, pytest.approx(0.6667, abs=1e-4)]
    desk = by_name["Cán bộ receiving"]
    assert desk[1:4] == [2, 1, 1] and desk[6:9] == [2, 0, 1]
    assert by_name["Cán bộ specialist"][6:9] == [0, 0, 1]
    assert ["Cán bộ receiving", "Ý kiến D2"] in [list(r) for r in
                                                 book.worksheets[1].iter_rows(values_only=True)]


def test_an_officer_without_the_right_sees_only_their_own_row(app, client, year):
    sign_in(app, client, "specialist.a")
    rows = list(csv.reader(io.StringIO(client.get(
        "/officer/reports/monthly?month=2025-04&format=csv").get_data(as_text=True))))
    assert [r[0] for r in rows[1:]] == ["Xã A", "Cán bộ specialist"]


def test_exports_neutralise_names_comments_and_fields_a_spreadsheet_would_run(app, client,
                                                                                year):
    with app.app_context():
        db.session.get(Officer, year.officers["receiving"]).full_name = "@SUM(A1)"
        db.session.scalar(select(Rating).where(Rating.comment == "Ý kiến D2")).comment = \
            "\t=cmd|' /C calc'!A0"
        db.session.execute(update(StatsDaily).where(StatsDaily.field == "Đất đai")
                           .values(field="=1+1"))
        db.session.commit()
    stats_csv = client.get(f"/stats/{year.agency_slug}.csv?year=2025").get_data(as_text=True)
    assert ["field", "'=1+1"] in [r[:2] for r in csv.reader(io.StringIO(stats_csv))]
    sign_in(app, client, "commune_admin.a")
    report = client.get("/officer/reports/monthly?month=2025-04&format=csv")
    rows = list(csv.reader(io.StringIO(report.get_data(as_text=True).lstrip("\ufeff"))))
    assert "'@SUM(A1)" in [r[0] for r in rows]
    book = load_workbook(io.BytesIO(client.get(
        "/officer/reports/monthly?month=2025-04&format=xlsx").data))
    names = [c.value for c in book.worksheets[0]["A"]]
    assert "'@SUM(A1)" in names and "@SUM(A1)" not in names
    notes = [[c.value for c in line] for line in book.worksheets[1].iter_rows()]
    assert ["'@SUM(A1)", "'\t=cmd|' /C calc'!A0"] in notes
