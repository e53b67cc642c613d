"""QR poster pages and downloads: who may see them, what they contain, the CLI."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import select

from app.extensions import db
from app.places.models import Agency, Village, VillageScan
from app.places.queries import vietnam_today
from tests.factories.officers import sign_in

VILLAGE = "tanhong-lapham"
VILLAGE_URL = f"http://127.0.0.1:5000/v/{VILLAGE}?src=qr"
ROUTES = [f"/admin/villages/{VILLAGE}/poster", f"/admin/villages/{VILLAGE}/qr.png",
          f"/admin/villages/{VILLAGE}/qr.svg", "/admin/agencies/tanhong/posters"]


def test_anonymous_is_sent_to_the_login_page(client, demo) -> None:
    for path in ROUTES:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/officer/login"), path


# One demo per role, every route checked inside: the matrix stays complete and cheap.
@pytest.mark.parametrize(("username", "status"), [
    ("quantri.tanhong", 200),   # the commune's own admin
    ("hethong", 200),           # a system admin, any commune
    ("quantri.vanhung", 403),   # another commune's admin
    ("tiepnhan.tanhong", 403),  # a receiving officer of the same commune
    ("chuyenvien.tanhong", 403),
    ("lanhdao.tanhong", 403),
])
def test_poster_routes_by_role(app: Flask, client, demo, username: str, status: int) -> None:
    sign_in(app, client, username)
    for path in ROUTES:
        response = client.get(path)
        assert response.status_code == status, path
        assert "no-store" in response.headers["Cache-Control"], path


def test_unknown_village_or_commune_is_404_for_an_admin(app: Flask, client, demo) -> None:
    sign_in(app, client, "hethong")
    assert client.get("/admin/villages/khong-co/poster").status_code == 404
    assert client.get("/admin/agencies/khong-co/posters").status_code == 404


def test_poster_page_has_inline_qr_names_and_instructions(app: Flask, client, demo) -> None:
    sign_in(app, client, "quantri.tanhong")
    html = client.get(f"/admin/villages/{VILLAGE}/poster").get_data(as_text=True)
    assert len(re.findall(r"<h1[ >]", html)) == 1
    assert html.count("<svg ") == 1 and "viewBox=" in html
    assert "Thôn La Phẩm" in html and "Xã Tản Hồng" in html
    for line in ("Mở camera điện thoại, hướng vào mã QR", "Bấm vào đường link hiện ra",
                 "Tra cứu thủ tục, nộp và theo dõi hồ sơ"):
        assert line in html
    assert 'style="' not in html and "<style" not in html


def test_poster_png_decodes_to_exactly_the_village_url(app: Flask, client, demo) -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    sign_in(app, client, "quantri.tanhong")
    response = client.get(f"/admin/villages/{VILLAGE}/qr.png")
    assert response.mimetype == "image/png"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert f"{VILLAGE}.png" in response.headers["Content-Disposition"]
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.data)))
    assert [r.text for r in results] == [VILLAGE_URL]


def test_poster_svg_renders_and_decodes_in_a_browser(app: Flask, client, demo,
                                                     browser) -> None:
    """The inline SVG itself (not only the PNG) must scan: render it in Chromium."""
    zxingcpp = pytest.importorskip("zxingcpp")
    sign_in(app, client, "quantri.tanhong")
    response = client.get(f"/admin/villages/{VILLAGE}/qr.svg")
    assert response.mimetype == "image/svg+xml"
    assert response.headers["Content-Disposition"].startswith("attachment")
    page = browser.new_page()
    try:
        page.set_content(f"<body>{response.get_data(as_text=True)}</body>")
        shot = page.locator("svg").screenshot()
    finally:
        page.close()
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))
    assert [r.text for r in results] == [VILLAGE_URL]


def test_agency_posters_page_prints_every_village_and_counts_scans(app: Flask, client,
                                                                   demo) -> None:
    client.get(f"/v/{VILLAGE}?src=qr")
    client.get(f"/v/{VILLAGE}?src=qr")
    with app.app_context():
        village = db.session.scalar(select(Village).where(Village.code == "tanhong-lathien"))
        old = VillageScan(village_id=village.id, count=7,
                          day=vietnam_today().replace(year=vietnam_today().year - 1))
        db.session.add(old)  # older than 30 days: not in the table
        db.session.commit()
    sign_in(app, client, "quantri.tanhong")
    html = client.get("/admin/agencies/tanhong/posters").get_data(as_text=True)
    assert len(re.findall(r"<h1[ >]", html)) == 1
    assert html.count("<svg ") == 5 and html.count('class="poster"') == 5
    rows = dict(re.findall(r'<tr><td><a href="[^"]+">([^<]+)</a></td><td>(\d+)</td>', html))
    assert rows["Thôn La Phẩm"] == "2" and rows["Thôn La Thiện"] == "0"
    assert "Thôn Xuân Đông" not in html


def test_seed_demo_cli_prints_villages_and_logins(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert VILLAGE_URL in result.output
    assert "quantri.tanhong" in result.output and "hethong" in result.output
    assert "motcua-demo" in result.output
    again = runner.invoke(args=["seed-demo"])
    assert "0 agencies, 0 villages, 0 officers created" in again.output
    empty_only = runner.invoke(args=["seed-demo", "--if-empty"])
    assert empty_only.exit_code == 0 and "not loaded" in empty_only.output
    with app.app_context():
        assert len(db.session.scalars(select(Agency)).all()) == 4


def test_posters_export_cli_writes_png_and_svg(app: Flask, demo, tmp_path: Path) -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    out = tmp_path / "posters"
    result = app.test_cli_runner().invoke(
        args=["posters", "export", "--agency", "tanhong", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{c}.{ext}" for c in ("tanhong-vansa1", "tanhong-vansa2", "tanhong-lapham",
                               "tanhong-lathuong", "tanhong-lathien") for ext in ("png", "svg"))
    decoded = zxingcpp.read_barcodes(Image.open(out / f"{VILLAGE}.png"))
    assert [r.text for r in decoded] == [VILLAGE_URL]
    assert (out / f"{VILLAGE}.svg").read_text().startswith("<?xml")
    bad = app.test_cli_runner().invoke(
        args=["posters", "export", "--agency", "khong-co", "--out", str(out)])
    assert bad.exit_code != 0 and "no agency" in bad.output
