"""Chromium: the way back to tracking from the home and village pages, and the receipt
slip's QR landing on /track with the code filled, then the dossier's status page."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app.accounts.models import Officer
from app.dossiers.forms import Applicant
from app.dossiers.services import submit_dossier
from app.dossiers.workflow import Actor, apply
from app.extensions import db
from app.places.models import Agency
from app.procedures.models import Procedure
from tests import factories as f

pytestmark = pytest.mark.browser


def test_the_way_back_and_the_slip_qr_landing(app, demo, page, live_server):
    with app.app_context():
        home = db.session.scalar(select(Agency).where(Agency.slug == "tanhong"))
        procedure = db.session.scalar(select(Procedure).where(Procedure.code == "2.000884"))
        desk = f.officer(home, "receiving", username="tiepnhan.trinhduyet")
        dossier, _secret, _created = submit_dossier(
            procedure, home, None, Applicant("Nguyễn Văn Bền", "001090123456", "0912345678",
                                             "Thôn Vân Sa 2, xã Tản Hồng"),
            {"document_name": "Giấy ủy quyền", "signers": 1}, [], "trinh-duyet-way-0001",
            "dau-van-tay")
        apply(dossier, "receive", Actor.for_officer(db.session.get(Officer, desk.id)))
        db.session.commit()
        code, desk_name = dossier.code, desk.username

    # From the home page and a village page, one tap back to tracking and to "my dossiers".
    page.goto("/")
    page.locator("nav.way-back").get_by_role("link", name="Tra cứu hồ sơ").click()
    page.wait_for_url("**/track")
    page.goto("/v/tanhong-lapham")
    page.locator("nav.way-back").get_by_role("link", name="Hồ sơ của tôi").click()
    page.wait_for_url("**/my")

    # The desk prints the receipt slip; its QR points at /track?code=<code>.
    page.goto("/officer/login")
    page.fill("#username", desk_name)
    page.fill("#password", f.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/officer/inbox")
    page.goto(f"/officer/dossiers/{code}/slips/receipt")
    printed = page.locator("figure.slip-qr figcaption").inner_text()
    target = next(word for word in printed.split() if "/track?code=" in word)
    assert "t=" not in urlsplit(target).query  # no secret on paper
    page.context.clear_cookies()

    # A villager scans it on another phone: the code is filled, only the phone is asked.
    parts = urlsplit(target)
    page.goto(f"{live_server}{parts.path}?{parts.query}")
    assert page.input_value("#f-code") == code
    page.fill("#f-phone", "0912 345 678")
    page.get_by_role("button", name="Tra cứu").click()
    page.wait_for_url(f"**/d/{code}")
    assert page.locator("#status").inner_text() == "Đã tiếp nhận"
    assert page.locator("#applicant-masked").inner_text() == "N*** V*** B***"
    assert "Nguyễn Văn Bền" not in page.content()
    assert page.locator("nav.way-back").get_by_role("link", name="Tra cứu hồ sơ").is_visible()
