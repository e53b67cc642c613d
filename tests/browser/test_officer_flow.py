"""Chromium: a receiving officer signs in with TOTP and runs an online dossier through the
desk — supplement request, the citizen's answer from their own page, receipt, processing,
the leader's approval, the result returned — and the citizen's timeline shows each step."""

from __future__ import annotations

import re

import pyotp
import pytest
from sqlalchemy import select

from app.dossiers.forms import Applicant
from app.dossiers.models import Dossier
from app.dossiers.services import submit_dossier
from app.extensions import db
from tests import factories as f

pytestmark = pytest.mark.browser


def _sign_in(page, username, totp_secret=None):
    page.goto("/officer/login")
    page.fill("#username", username)
    page.fill("#password", f.PASSWORD)
    page.click("button[type=submit]")
    if totp_secret:
        page.wait_for_url("**/officer/login/totp")
        page.fill("#code", pyotp.TOTP(totp_secret).now())
        page.click("button[type=submit]")
    page.wait_for_url("**/officer/inbox")


def _act(page, code, label, fill=None):
    """Open the action's section on the dossier page, fill it, submit it."""
    page.goto(f"/officer/dossiers/{code}")
    section = page.locator("details.action", has=page.locator("summary", has_text=label))
    if section.get_attribute("open") is None:
        section.locator("summary").click()
    if fill:
        fill(section)
    section.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "Đã thực hiện" in page.content(), page.content()[:2000]


def test_an_online_dossier_through_the_desk(app, browser, page, live_server):
    with app.app_context():
        home = f.agency("tanhong", "Xã Tản Hồng", "000.31.12.H26")
        proc = f.procedure([home])
        desk = f.officer(home, "receiving", totp=True)
        f.officer(home, "specialist")
        f.officer(home, "leader")
        dossier, secret, _created = submit_dossier(
            proc, home, None, Applicant("Nguyễn Văn Bền", "001090123456", "0912345678",
                                        "Thôn Vân Sa 2, xã Tản Hồng"),
            {"purpose": "Đăng ký kết hôn"}, [], "trinh-duyet-thu-0001", "dau-van-tay")
        db.session.commit()
        code, desk_name, desk_secret = dossier.code, desk.username, desk.totp_secret
        missing_doc = proc.documents[1].name

    # The receiving officer signs in (password, then the code from the phone app).
    _sign_in(page, desk_name, desk_secret)
    page.goto("/officer/inbox")
    assert page.locator("h1").count() == 1
    for width in (1024, 320):  # a desk tablet, and a phone at the narrowest
        page.set_viewport_size({"width": width, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.set_viewport_size({"width": 1024, "height": 800})
    page.click(f"text={code}")
    page.wait_for_url(f"**/officer/dossiers/{code}")
    assert "Nguyễn Văn Bền" in page.content()

    # Incomplete: everything missing is listed once.
    _act(page, code, "Yêu cầu bổ sung, hoàn thiện hồ sơ", lambda s: (
        s.get_by_label(missing_doc).check(),
        s.locator("textarea[name=note]").fill("Ảnh căn cước bị mờ, chụp lại giúp")))
    page.click("text=Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in page.content()
    assert page.locator("svg.qr").count() == 1

    # The citizen, on their own phone, reads the request and answers it.
    citizen = browser.new_context(base_url=live_server, locale="vi-VN").new_page()
    citizen.goto(f"/d/{code}?t={secret}")
    assert missing_doc in citizen.content()
    citizen.fill("#f-note", "Đã chụp lại căn cước rõ nét")
    citizen.click("text=Gửi bổ sung")
    citizen.get_by_text("Đã nộp bổ sung").wait_for()  # sent by upload-form.js, then shown

    # Complete now: received, with the receipt and appointment slip to print.
    _act(page, code, "Tiếp nhận hồ sơ")
    assert "Phiếu tiếp nhận hồ sơ và hẹn trả kết quả" in page.content()
    page.click("text=Phiếu tiếp nhận hồ sơ và hẹn trả kết quả")
    assert "NGƯỜI NỘP HỒ SƠ" in page.content() and f"/track?code={code}" in page.content()
    _act(page, code, "Chuyển cán bộ giải quyết",
         lambda s: s.locator("select[name=officer_id]").select_option(index=1))

    specialist = browser.new_context(base_url=live_server, locale="vi-VN").new_page()
    _sign_in(specialist, "specialist.tanhong")
    _act(specialist, code, "Trình lãnh đạo ký duyệt")
    leader = browser.new_context(base_url=live_server, locale="vi-VN").new_page()
    _sign_in(leader, "leader.tanhong")
    leader.goto("/officer/inbox")  # the leader's queue: waiting for signature
    assert code in leader.content()
    _act(leader, code, "Lãnh đạo phê duyệt")
    # Handed over at the counter to the applicant: name and CCCD number checked.
    _act(page, code, "Trả kết quả", lambda s: (
        s.get_by_label("Họ và tên người nhận").fill("Nguyễn Văn Bền"),
        s.get_by_label("Số định danh cá nhân (CCCD, 12 số)").fill("001090123456"),
        s.get_by_label("Chính người nộp hồ sơ").check()))
    assert "Xử lý hồ sơ" not in page.content()

    with app.app_context():
        found = db.session.scalar(select(Dossier).where(Dossier.code == code))
        assert found.status == "returned"
    citizen.goto(f"/d/{code}?t={secret}")
    timeline = citizen.locator("ol.timeline").inner_text()
    steps = ["Nộp hồ sơ trực tuyến", "Yêu cầu bổ sung, hoàn thiện hồ sơ", "Nộp bổ sung giấy tờ",
             "Tiếp nhận hồ sơ", "Chuyển cán bộ giải quyết", "Trình lãnh đạo ký duyệt",
             "Lãnh đạo phê duyệt", "Trả kết quả"]
    positions = [timeline.find(step) for step in steps]
    assert all(p >= 0 for p in positions), dict(zip(steps, positions, strict=True))
    assert positions == sorted(positions)
    assert re.search(r"Đã trả kết quả", timeline)
