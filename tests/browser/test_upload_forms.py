"""The citizen's other upload forms get the apply form's help (js/upload-form.js): the
supplement on the dossier page and the feedback photo are downscaled on the phone, show
upload progress, keep a draft, and check the typed fields before anything goes up."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import select

from app.dossiers.filestore import get_file_store
from app.dossiers.models import Dossier
from app.extensions import db
from app.feedback.models import Feedback
from app.places.models import Agency
from app.procedures.models import Procedure
from tests import factories as f
from tests.factories.browser import slow_upload, wait_for_thumbnails
from tests.factories.files import phone_photo

pytestmark = pytest.mark.browser

PROGRESS = """new MutationObserver(() => {
  const bar = document.querySelector('[data-progress] progress');
  if (bar) window.reportProgress(bar.value);
}).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});"""


def waiting_dossier(app: Flask) -> str:
    with app.app_context():
        home = db.session.scalar(select(Agency).where(Agency.slug == "tanhong"))
        proc = db.session.scalar(select(Procedure).where(Procedure.code == "1.004884"))
        assert home is not None and proc is not None
        dossier = f.dossier(home, proc, "needs_supplement")
        db.session.commit()
        return dossier.code


def test_a_supplement_photo_is_downscaled_with_progress_and_a_draft(
        app: Flask, demo: Any, page: Any, posts: list[tuple[str, int]]) -> None:  # noqa: F811
    code = waiting_dossier(app)
    seen: list[int] = []
    page.expose_function("reportProgress", lambda value: seen.append(value))
    page.add_init_script(PROGRESS)
    page.goto(f"/d/{code}?t={f.SECRET}")
    photo = phone_photo()
    page.set_input_files("input[name=files]", files=[
        {"name": "IMG_20261122_1015.jpg", "mimeType": "image/jpeg", "buffer": photo}])
    wait_for_thumbnails(page, 1)
    page.fill("[name=note]", "Bổ sung bản sao sổ hộ khẩu")
    # The phone closes the tab: the draft (note and photo) is on the phone.
    page.wait_for_timeout(500)
    page.reload()
    page.get_by_text("Đã khôi phục bản nháp lưu trên máy").wait_for()
    wait_for_thumbnails(page, 1)
    assert page.input_value("[name=note]") == "Bổ sung bản sao sổ hộ khẩu"
    slow_upload(page, 256 * 1024)
    page.click("[data-submit]")
    page.get_by_text("Đã nộp bổ sung").wait_for()
    assert page.url.split("?")[0].endswith(f"/d/{code}")

    [(_path, sent)] = [p for p in posts if p[0] == f"/d/{code}/resubmit"]
    assert sent < len(photo) / 2, "the phone sent the downscaled photo"
    assert seen and seen[-1] == 100
    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
        assert dossier is not None
        [stored] = [x for x in dossier.files if x.kind == "supplement"]
        assert stored.size < len(photo) / 2
        with get_file_store().open(stored.storage_key) as fh:
            assert max(Image.open(fh).size) <= 1600


def test_the_feedback_photo_is_downscaled_and_the_fields_checked_first(
        app: Flask, demo: Any, page: Any, posts: list[tuple[str, int]]) -> None:  # noqa: F811
    page.goto("/feedback/new?agency=tanhong")
    photo = phone_photo()
    page.set_input_files("input[name=photo]", files=[
        {"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": photo}])
    wait_for_thumbnails(page, 1)
    page.fill("[name=phone]", "12")
    page.click("[data-submit]")
    summary = page.locator("[data-module=error-summary]")
    summary.wait_for()
    assert "Vui lòng chọn bạn phản ánh về việc gì." in summary.inner_text()
    assert "Vui lòng viết nội dung phản ánh, kiến nghị." in summary.inner_text()
    assert "Số điện thoại chưa đúng" in summary.inner_text()
    assert posts == []

    page.check("input[name=about][value=hall]")
    page.fill("[name=message]", "Nhà chờ thiếu ghế cho người già.")
    page.fill("[name=phone]", "")
    page.click("[data-submit]")
    page.get_by_role("heading", name="Đã gửi phản ánh, kiến nghị").wait_for()
    [(_path, sent)] = posts
    assert sent < len(photo) / 2
    with app.app_context():
        [found] = db.session.scalars(select(Feedback)).all()
        assert found.photo_key
