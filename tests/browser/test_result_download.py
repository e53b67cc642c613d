"""Chromium: the citizen opens the dossier from its tracking link, downloads the electronic
result (the very bytes issued), and confirms receiving it with the button, which closes the
dossier."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import Officer
from app.dossiers.models import Dossier
from app.extensions import db
from tests import factories as f
from tests.factories.files import pypdf_document
from tests.factories.results import issued_result

pytestmark = pytest.mark.browser


def test_the_citizen_downloads_the_result_and_confirms_receipt(app, browser, live_server):
    data = pypdf_document(2)
    with app.app_context():
        home = f.agency("tanhong", "Xã Tản Hồng", "000.31.12.H26")
        proc = f.procedure([home])
        specialist = f.officer(home, "specialist")
        found = f.dossier(home, proc, "result_ready")
        result = issued_result(found, db.session.get(Officer, specialist.id), data)
        db.session.commit()
        code, result_code = found.code, result.code
    context = browser.new_context(base_url=live_server, locale="vi-VN", accept_downloads=True)
    page = context.new_page()
    try:
        page.goto(f"/d/{code}?t={f.SECRET}")
        link = page.get_by_role("link", name=f"Tải kết quả {result_code} (PDF)")
        with page.expect_download() as waiting:
            link.click()
        download = waiting.value
        assert download.suggested_filename == f"{result_code}.pdf"
        with open(download.path(), "rb") as fh:
            assert fh.read() == data
        page.get_by_role("button", name="Tôi đã nhận kết quả").click()
        page.get_by_text("Đã ghi nhận: bạn đã nhận kết quả điện tử.").wait_for()
    finally:
        context.close()
    with app.app_context():
        closed = db.session.scalar(select(Dossier).where(Dossier.code == code))
        assert (closed.status, closed.return_channel) == ("returned", "online")
