"""Home and village pages, QR scan counting and the villages API, over HTTP."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import select

from app.dossiers.models import Dossier
from app.extensions import db
from app.places.models import Agency, Village, VillageScan
from app.places.queries import vietnam_today
from app.procedures.models import Procedure


def _h1s(html: str) -> list[str]:
    return re.findall(r"<h1[ >].*?</h1>", html, flags=re.S)


def test_home_lists_communes_then_the_chosen_communes_villages(client, demo) -> None:
    html = client.get("/").get_data(as_text=True)
    assert len(_h1s(html)) == 1
    assert 'action="/procedures"' in html and 'name="q"' in html
    assert "Xã Tản Hồng" in html and "Xã Vạn Hưng" in html
    assert "/v/tanhong-lapham" not in html  # villages appear once a commune is chosen

    html = client.get("/?agency=tanhong").get_data(as_text=True)
    assert 'href="/v/tanhong-lapham"' in html and "Thôn La Phẩm" in html
    assert "/v/vanhung-xuandong" not in html


def test_village_page_shows_the_commune_and_how_to_reach_it(client, demo) -> None:
    response = client.get("/v/tanhong-lapham")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    h1s = _h1s(html)
    assert len(h1s) == 1 and "Thôn La Phẩm" in h1s[0] and "Xã Tản Hồng" in h1s[0]
    assert "Thứ Hai – Thứ Sáu: sáng 7:30–11:30, chiều 13:30–17:00" in html
    assert 'href="tel:02400000126"' in html
    assert 'name="village" value="tanhong-lapham"' in html
    assert 'action="/procedures"' in html
    assert 'style="' not in html


def test_village_code_is_case_insensitive(client, demo) -> None:
    response = client.get("/v/TanHong-LaPham")
    assert response.status_code == 200
    assert "Thôn La Phẩm" in response.get_data(as_text=True)


def test_unknown_village_gets_a_friendly_404(client, demo) -> None:
    response = client.get("/v/khong-co-thon-nay")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Không tìm thấy thôn" in html and 'href="/"' in html


def _procedure(code: str, name: str, popularity: int, agency: Agency) -> Procedure:
    procedure = Procedure(code=code, name=name, field="Hộ tịch", popularity=popularity)
    procedure.agencies.append(agency)
    db.session.add(procedure)
    db.session.flush()
    return procedure


def _dossiers(procedure: Procedure, agency: Agency, n: int, *, days_ago: int = 10) -> None:
    when = datetime.now(UTC) - timedelta(days=days_ago)
    for _ in range(n):
        seq = db.session.scalar(select(db.func.count()).select_from(Dossier)) or 0
        db.session.add(Dossier(
            code=f"TEST-{procedure.code}-{seq}", procedure_id=procedure.id,
            agency_id=agency.id, applicant_name="Nguyễn Văn A",
            applicant_name_folded="nguyen van a", citizen_id_number="001090000001",
            phone="0912345678", tracking_secret_hash="0" * 64, submitted_at=when,
        ))
        db.session.flush()


def test_procedures_are_ordered_by_use_at_this_commune(app: Flask, client, demo) -> None:
    with app.app_context():
        tanhong = db.session.scalar(select(Agency).where(Agency.slug == "tanhong"))
        vanhung = db.session.scalar(select(Agency).where(Agency.slug == "vanhung"))
        rare = _procedure("9.000001", "Thủ tục ít dùng", 100, tanhong)
        used = _procedure("9.000002", "Thủ tục dùng nhiều", 1, tanhong)
        popular = _procedure("9.000003", "Thủ tục phổ biến", 50, tanhong)
        _procedure("9.000004", "Thủ tục của xã khác", 1000, vanhung)
        _dossiers(used, tanhong, 3)
        _dossiers(rare, tanhong, 1)
        _dossiers(popular, vanhung, 5)  # use at another commune does not count here
        _dossiers(popular, tanhong, 9, days_ago=400)  # nor does use older than a year
        db.session.commit()
    html = client.get("/v/tanhong-vansa1").get_data(as_text=True)
    order = [m for m in re.findall(r"Thủ tục [^<]+", html)
             if m in ("Thủ tục ít dùng", "Thủ tục dùng nhiều", "Thủ tục phổ biến",
                      "Thủ tục của xã khác")]
    assert order == ["Thủ tục dùng nhiều", "Thủ tục ít dùng", "Thủ tục phổ biến"]
    assert 'href="/procedures/9.000002?village=tanhong-vansa1"' in html


def _scans(app: Flask, code: str) -> list[tuple[object, int]]:
    with app.app_context():
        return [(s.day, s.count) for s in db.session.scalars(
            select(VillageScan).join(Village, Village.id == VillageScan.village_id)
            .where(Village.code == code))]


def test_qr_scans_are_counted_per_village_per_day(app: Flask, client, demo) -> None:
    for scanned in ("/v/tanhong-lathuong?src=qr", "/v/TANHONG-LATHUONG?src=qr"):
        answer = client.get(scanned)
        # Counted, then sent to the URL a proxy may cache (this answer it may not).
        assert answer.status_code == 303
        assert answer.headers["Location"] == "/v/tanhong-lathuong"
        assert answer.headers["Cache-Control"] == "no-store"
    assert _scans(app, "tanhong-lathuong") == [(vietnam_today(), 2)]
    assert _scans(app, "tanhong-lathien") == []


def test_a_visit_without_src_qr_is_not_counted(app: Flask, client, demo) -> None:
    client.get("/v/tanhong-lathuong")
    client.get("/v/tanhong-lathuong?src=link")
    assert _scans(app, "tanhong-lathuong") == []


def test_scan_counting_stores_nothing_about_the_visitor(app: Flask) -> None:
    columns = {c.name for c in VillageScan.__table__.columns}
    assert columns == {"id", "village_id", "day", "count"}


def test_villages_api(client, demo) -> None:
    response = client.get("/api/v1/villages?agency=tanhong")
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert len(items) == 5
    first = items[0]
    assert set(first) == {"code", "name", "agency", "url"}
    assert first["agency"] == {"slug": "tanhong", "name": "Xã Tản Hồng", "code": "000.31.12.H26"}
    assert first["url"] == f"http://127.0.0.1:5000/v/{first['code']}"
    assert len(client.get("/api/v1/villages").get_json()["items"]) == 10


def test_villages_api_unknown_agency_is_a_json_404(client, demo) -> None:
    response = client.get("/api/v1/villages?agency=khong-co")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "unknown_agency"
