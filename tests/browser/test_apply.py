"""The citizen's whole path in Chromium: village page → procedure → online apply form (photo
downscaled on the phone, upload progress, draft kept on the phone, double-submit guard, error
summary focus) → confirmation → tracking by code and phone; and the same without JavaScript."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import func, select

from app.dossiers.filestore import get_file_store
from app.dossiers.models import Dossier
from app.extensions import db
from app.procedures.models import Procedure
from tests.factories.browser import slow_upload, wait_for_thumbnails
from tests.factories.files import phone_photo

pytestmark = pytest.mark.browser

VILLAGE = "tanhong-vansa1"
PROCEDURE = "1.004884"  # Đăng ký lại khai sinh: fully online, two papers to upload
APPLY_PATH = f"/procedures/{PROCEDURE}/apply"
PHONE = "0912 345 678"
CITIZEN_ID = "001090123456"  # Hà Nội, born 1990
SUBMITTED = re.compile(r"/d/([^/?]+)/submitted\?t=")
DRAFT_HAS_PHOTO = """async (action) => {
  const db = await new Promise((ok, ko) => {
    const rq = indexedDB.open("motcua-drafts", 1);
    rq.onupgradeneeded = () => rq.result.createObjectStore("drafts");
    rq.onsuccess = () => ok(rq.result); rq.onerror = () => ko(rq.error);
  });
  const draft = await new Promise((ok) => {
    const rq = db.transaction("drafts").objectStore("drafts").get(action);
    rq.onsuccess = () => ok(rq.result); rq.onerror = () => ok(null);
  });
  db.close();
  return !!draft && Object.keys(draft.photos).length > 0;
}"""


def noise_pdf(pages: int) -> bytes:
    """A real PDF that does not compress (noise images): a big upload that takes a while."""
    sheets = [Image.effect_noise((800, 800), 90).convert("RGB") for _ in range(pages)]
    out = io.BytesIO()
    sheets[0].save(out, "PDF", save_all=True, append_images=sheets[1:], quality=95)
    return out.getvalue()


@pytest.fixture
def procedure(app: Flask, demo: Any) -> dict[str, Any]:
    """The procedure's own fields and its mandatory uploads, as the form shows them."""
    with app.app_context():
        proc = db.session.scalar(select(Procedure).where(Procedure.code == PROCEDURE))
        assert proc is not None and proc.accepts_online
        documents = [d.id for d in proc.documents if d.uploadable and d.mandatory]
        assert documents, "the test needs a procedure that asks for a photo"
        return {"fields": list(proc.form_fields), "documents": documents}


def dossier_count(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(Dossier)) or 0)


def open_apply_form(page: Any) -> None:
    """As a villager does: the QR poster's village page, the procedure, the apply button."""
    page.goto(f"/v/{VILLAGE}")
    page.locator(f"a[href^='/procedures/{PROCEDURE}']").first.click()
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    page.wait_for_url(f"**{APPLY_PATH}*")
    assert page.input_value("[name=village]") == VILLAGE, "the village comes preselected"


def fill_applicant(page: Any, citizen_id: str = CITIZEN_ID) -> None:
    page.fill("[name=applicant_name]", "Nguyễn Văn Bền")
    page.fill("[name=citizen_id]", citizen_id)
    page.fill("[name=phone]", PHONE)


def fill_rest(page: Any, procedure: dict[str, Any]) -> None:
    page.fill("[name=birth_date]", "1990-05-01")
    page.fill("[name=address]", "Thôn Vân Sa 1, xã Tản Hồng, Ba Vì, Hà Nội")
    for spec in procedure["fields"]:
        name = f"[name='answer-{spec['name']}']"
        kind = spec.get("type")
        if kind == "choice":
            page.select_option(name, spec["choices"][0])
        elif kind == "checkbox":
            if spec.get("required"):
                page.check(name)
        elif kind == "date":
            page.fill(name, "2020-01-15")
        elif kind == "number":
            page.fill(name, str(spec.get("min") or 1))
        elif spec.get("required"):
            page.fill(name, "Nguyễn Văn Bền")
    page.check("[name=consent]")


def attach_camera_photo(page: Any, requirement: int, photo: bytes) -> None:
    page.set_input_files(f"input[name='doc-{requirement}']", files=[
        {"name": "IMG_20261122_0931.jpg", "mimeType": "image/jpeg", "buffer": photo}])


def attach_other_papers(page: Any, procedure: dict[str, Any]) -> None:
    small = phone_photo(800, 600)
    for requirement in procedure["documents"][1:]:
        page.set_input_files(f"input[name='doc-{requirement}']", files=[
            {"name": f"giay-{requirement}.jpg", "mimeType": "image/jpeg", "buffer": small}])


def ready_to_send(page: Any, procedure: dict[str, Any], photo: bytes | None = None,
                  citizen_id: str = CITIZEN_ID) -> None:
    """From the village page to a form ready to send: applicant, fields, the camera photo
    (a fresh phone photo unless given) and the other papers, thumbnails shown."""
    open_apply_form(page)
    fill_applicant(page, citizen_id=citizen_id)
    fill_rest(page, procedure)
    attach_camera_photo(page, procedure["documents"][0],
                        phone_photo() if photo is None else photo)
    attach_other_papers(page, procedure)
    wait_for_thumbnails(page, len(procedure["documents"]))


def submitted_code(page: Any) -> str:
    page.wait_for_url(SUBMITTED)
    match = SUBMITTED.search(page.url)
    assert match
    return match.group(1)


def assert_stored_photo_is_clean(app: Flask, code: str, requirement: int) -> None:
    """The stored photo is at most 1600 px, upright, and carries no EXIF (no GPS)."""
    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
        assert dossier is not None
        photos = [f for f in dossier.files if f.requirement_id == requirement]
        assert len(photos) == 1
        with get_file_store().open(photos[0].storage_key) as fh:
            img = Image.open(fh)
            img.load()
    assert max(img.size) <= 1600
    assert img.height > img.width, "the sideways-held photo is stored upright"
    assert len(img.getexif()) == 0
    assert "exif" not in img.info


def track(browser: Any, live_server: str, code: str) -> None:
    """Another phone finds the dossier with the code and the phone number."""
    context = browser.new_context(base_url=live_server, locale="vi-VN")
    try:
        other = context.new_page()
        other.goto("/track")
        other.fill("[name=code]", code)
        other.fill("[name=phone]", PHONE)
        other.locator("main form button[type=submit]").click()
        other.wait_for_url(f"**/d/{code}")
        assert code in other.locator("main").inner_text()
    finally:
        context.close()


def test_citizen_applies_with_a_camera_photo_and_tracks_the_dossier(
        app: Flask, procedure: dict[str, Any], page: Any, browser: Any, live_server: str,
        posts: list[tuple[str, int]]) -> None:
    photo = phone_photo()
    ready_to_send(page, procedure, photo)
    page.click("[data-submit]")

    code = submitted_code(page)
    assert code in page.locator("main").inner_text()
    # The phone sent the downscaled photo, not the 12 MP original.
    [(path, sent)] = [p for p in posts if p[0] == APPLY_PATH]
    assert sent < len(photo) / 2
    assert_stored_photo_is_clean(app, code, procedure["documents"][0])
    track(browser, live_server, code)


def test_the_same_path_without_javascript(
        app: Flask, procedure: dict[str, Any], browser: Any, live_server: str) -> None:
    context = browser.new_context(java_script_enabled=False, base_url=live_server,
                                  locale="vi-VN")
    try:
        page = context.new_page()
        open_apply_form(page)
        fill_applicant(page)
        fill_rest(page, procedure)
        attach_camera_photo(page, procedure["documents"][0], phone_photo())
        attach_other_papers(page, procedure)
        page.click("[data-submit]")
        code = submitted_code(page)
        assert code in page.locator("main").inner_text()
    finally:
        context.close()
    assert dossier_count(app) == 1
    assert_stored_photo_is_clean(app, code, procedure["documents"][0])
    track(browser, live_server, code)


def start_half_filled_draft(page: Any, procedure: dict[str, Any]) -> tuple[str, str]:
    """Half the form and one photo, kept on the phone; returns (form action, idempotency key)."""
    fill_applicant(page)
    attach_camera_photo(page, procedure["documents"][0], phone_photo())
    wait_for_thumbnails(page, 1)
    action = page.eval_on_selector("#apply-form", "form => form.action")
    page.wait_for_function(DRAFT_HAS_PHOTO, arg=action)
    return action, page.input_value("[name=idempotency_key]")


def assert_draft_restored(page: Any, key: str) -> None:
    page.get_by_text("Đã khôi phục bản nháp lưu trên máy").wait_for()
    assert page.input_value("[name=applicant_name]") == "Nguyễn Văn Bền"
    assert page.input_value("[name=citizen_id]") == CITIZEN_ID
    assert page.input_value("[name=idempotency_key]") == key
    wait_for_thumbnails(page, 1)


def finish_and_send(app: Flask, page: Any, procedure: dict[str, Any], action: str) -> None:
    fill_rest(page, procedure)
    attach_other_papers(page, procedure)
    wait_for_thumbnails(page, len(procedure["documents"]))
    page.click("[data-submit]")
    code = submitted_code(page)
    assert dossier_count(app) == 1
    assert_stored_photo_is_clean(app, code, procedure["documents"][0])
    # Sent: the draft is gone from the phone.
    page.goto(APPLY_PATH)
    page.locator("#apply-form").wait_for()
    assert not page.evaluate(DRAFT_HAS_PHOTO, action)
    assert page.get_by_text("Đã khôi phục bản nháp lưu trên máy").count() == 0


def test_draft_outlives_a_failed_send_and_a_reload_and_is_sent_once(
        app: Flask, procedure: dict[str, Any], page: Any) -> None:
    open_apply_form(page)
    action, key = start_half_filled_draft(page, procedure)
    fill_rest(page, procedure)  # complete, or the check before sending stops it on the phone
    attach_other_papers(page, procedure)
    wait_for_thumbnails(page, len(procedure["documents"]))
    page.context.set_offline(True)
    page.click("[data-submit]")
    page.get_by_text("Mất kết nối. Hồ sơ vẫn được lưu trên máy; bấm Gửi lại khi có mạng."
                     ).wait_for()
    assert page.get_by_role("button", name="Gửi lại").is_enabled()
    page.context.set_offline(False)

    page.reload()  # or the phone closed the tab: the draft is in IndexedDB, not the page
    assert_draft_restored(page, key)
    finish_and_send(app, page, procedure, action)


def test_draft_is_restored_offline_then_sent_once(
        app: Flask, procedure: dict[str, Any], page: Any) -> None:
    open_apply_form(page)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    action, key = start_half_filled_draft(page, procedure)
    page.context.set_offline(True)
    page.reload()
    assert page.locator("#apply-form").count() == 1, "the form itself is readable offline"
    assert_draft_restored(page, key)
    page.context.set_offline(False)
    finish_and_send(app, page, procedure, action)


def test_a_lost_answer_then_send_again_makes_one_dossier(
        app: Flask, procedure: dict[str, Any], page: Any) -> None:
    """The server made the dossier but the phone never heard back: sending again (same
    idempotency key) finds the same dossier instead of making a second one."""
    ready_to_send(page, procedure)

    def lose_the_answer(route: Any) -> None:
        route.fetch(max_redirects=0)  # the request reaches the server...
        route.abort("connectionreset")  # ...and its answer is lost on the way back

    page.route(f"**{APPLY_PATH}", lose_the_answer)
    page.click("[data-submit]")
    page.get_by_text("Mất kết nối. Hồ sơ vẫn được lưu trên máy").wait_for()
    assert dossier_count(app) == 1
    page.unroute(f"**{APPLY_PATH}")
    page.get_by_role("button", name="Gửi lại").click()
    code = submitted_code(page)
    assert dossier_count(app) == 1
    assert code in page.locator("main").inner_text()


def test_double_click_on_send_makes_one_request(
        app: Flask, procedure: dict[str, Any], page: Any, posts: list[tuple[str, int]]) -> None:
    ready_to_send(page, procedure)
    page.dblclick("[data-submit]")
    submitted_code(page)
    assert [p for p, _n in posts if p == APPLY_PATH] == [APPLY_PATH]
    assert dossier_count(app) == 1


def test_a_refused_citizen_id_focuses_the_error_summary_and_keeps_the_photos(
        app: Flask, procedure: dict[str, Any], page: Any) -> None:
    """What only the server knows (the province codes) comes back as its error summary."""
    ready_to_send(page, procedure, citizen_id="999090123456")
    page.click("[data-submit]")

    summary = page.locator("[data-module=error-summary]")
    summary.wait_for()
    page.wait_for_function("() => document.activeElement"
                           " && document.activeElement.matches('[data-module=error-summary]')")
    assert "Mã tỉnh nơi đăng ký khai sinh" in summary.inner_text()
    assert dossier_count(app) == 0
    # What was typed and the photos chosen are still there: only the ID needs fixing.
    assert page.input_value("[name=applicant_name]") == "Nguyễn Văn Bền"
    wait_for_thumbnails(page, len(procedure["documents"]))
    page.fill("[name=citizen_id]", CITIZEN_ID)
    page.click("[data-submit]")
    code = submitted_code(page)
    assert_stored_photo_is_clean(app, code, procedure["documents"][0])


def test_upload_progress_is_shown_and_reaches_100(
        app: Flask, procedure: dict[str, Any], page: Any) -> None:
    seen: list[tuple[int, str]] = []
    page.expose_function("reportProgress", lambda value, label: seen.append((value, label)))
    # Init scripts run outside the page's CSP; the observer outlives nothing but this page.
    page.add_init_script("""new MutationObserver(() => {
      const bar = document.querySelector('[data-progress] progress');
      if (bar) window.reportProgress(bar.value, bar.labels[0] ? bar.labels[0].textContent : '');
    }).observe(document,
               {subtree: true, childList: true, attributes: true, characterData: true});""")
    open_apply_form(page)
    fill_applicant(page)
    fill_rest(page, procedure)
    attach_camera_photo(page, procedure["documents"][0], phone_photo())
    for requirement in procedure["documents"][1:]:
        page.set_input_files(f"input[name='doc-{requirement}']", files=[
            {"name": "so-ho-khau.pdf", "mimeType": "application/pdf", "buffer": noise_pdf(2)}])
    page.wait_for_function("(n) => document.querySelectorAll('.apply-thumbs li').length >= n",
                           arg=len(procedure["documents"]))
    # A slow village connection: about 2.5 s for this dossier.
    slow_upload(page, 512 * 1024)
    page.click("[data-submit]")
    submitted_code(page)
    values = [v for v, _label in seen]
    assert values[-1] == 100
    assert any(0 < v < 100 for v in values), "the bar moves while the files go up"
    assert any(re.fullmatch(r"Đang gửi hồ sơ… \d{1,2}%", label) for _v, label in seen)
    assert dossier_count(app) == 1


KEY_IN_PAGE = re.compile(r'name="idempotency_key" value="[^"]*"')
DRAFT_OF_ANOTHER_TAB = """async ([action, fields]) => {
  const db = await new Promise((ok, ko) => {
    const rq = indexedDB.open("motcua-drafts", 1);
    rq.onupgradeneeded = () => rq.result.createObjectStore("drafts");
    rq.onsuccess = () => ok(rq.result); rq.onerror = () => ko(rq.error);
  });
  await new Promise((ok, ko) => {
    const tx = db.transaction("drafts", "readwrite");
    tx.objectStore("drafts").put({fields, photos: {}, saved: Date.now()}, action);
    tx.oncomplete = ok; tx.onerror = () => ko(tx.error);
  });
  db.close();
}"""


def fill_whole_form(page: Any, procedure: dict[str, Any], name: str, citizen_id: str) -> None:
    page.fill("[name=applicant_name]", name)
    page.fill("[name=citizen_id]", citizen_id)
    page.fill("[name=phone]", PHONE)
    page.select_option("[name=village]", VILLAGE)
    page.select_option("[name=agency]", "tanhong")
    fill_rest(page, procedure)
    attach_camera_photo(page, procedure["documents"][0], phone_photo(1200, 900))
    attach_other_papers(page, procedure)
    wait_for_thumbnails(page, len(procedure["documents"]))


def test_a_form_used_for_one_dossier_never_dead_ends(
        app: Flask, procedure: dict[str, Any], page: Any) -> None:
    """The one-time key belongs to one draft. The same dossier sent again is answered with
    the dossier it made; another dossier gets a new key, even from the copy of the page the
    service worker kept or from a draft still holding the used key (the server's 409)."""
    open_apply_form(page)
    fill_whole_form(page, procedure, "Nguyễn Văn Bền", CITIZEN_ID)
    action = page.eval_on_selector("#apply-form", "form => form.action")

    def lose_the_answer(route: Any) -> None:
        route.fetch(max_redirects=0)
        route.abort("connectionreset")

    page.route(f"**{APPLY_PATH}", lose_the_answer)
    page.click("[data-submit]")
    page.get_by_text("Mất kết nối. Hồ sơ vẫn được lưu trên máy").wait_for()
    page.unroute(f"**{APPLY_PATH}")
    used = page.input_value("[name=idempotency_key]")
    assert dossier_count(app) == 1

    # The same body again, from the draft restored later: the existing dossier is shown.
    page.reload()
    page.get_by_text("Đã khôi phục bản nháp lưu trên máy").wait_for()
    wait_for_thumbnails(page, len(procedure["documents"]))
    assert page.input_value("[name=idempotency_key]") == used
    page.click("[data-submit]")
    first = submitted_code(page)
    assert dossier_count(app) == 1

    # Weak signal: the service worker answers with the page it kept, the used key in it.
    def kept_copy(route: Any) -> None:
        if route.request.method != "GET":
            route.continue_()
            return
        response = route.fetch()
        body = KEY_IN_PAGE.sub(f'name="idempotency_key" value="{used}"', response.text())
        route.fulfill(response=response, body=body)

    page.route(f"**{APPLY_PATH}*", kept_copy)
    page.goto(APPLY_PATH)
    page.locator("#apply-form").wait_for()
    page.unroute(f"**{APPLY_PATH}*")
    assert page.get_by_text("Đã khôi phục bản nháp lưu trên máy").count() == 0
    fill_whole_form(page, procedure, "Trần Thị Mai", "001190123457")
    assert page.input_value("[name=idempotency_key]") != used
    page.click("[data-submit]")
    second = submitted_code(page)
    assert second != first and dossier_count(app) == 2

    # A draft another tab saved with the used key, for someone else: the server says 409,
    # the phone takes a new key, says so, and sends again by itself.
    statuses: list[int] = []
    page.on("response", lambda r: statuses.append(r.status)
            if r.request.method == "POST" else None)
    page.goto(APPLY_PATH)
    page.evaluate(DRAFT_OF_ANOTHER_TAB, [action, {
        "applicant_name": "Lê Văn Cường", "idempotency_key": used}])
    page.reload()
    page.get_by_text("Đã khôi phục bản nháp lưu trên máy").wait_for()
    assert page.input_value("[name=idempotency_key]") == used
    fill_whole_form(page, procedure, "Lê Văn Cường", "001090123458")
    page.click("[data-submit]")
    third = submitted_code(page)
    assert third not in (first, second) and dossier_count(app) == 3
    assert statuses[0] == 409 and len(statuses) >= 2
    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == third))
        assert dossier is not None and dossier.applicant_name == "Lê Văn Cường"


def test_typed_mistakes_are_shown_before_any_photo_goes_up(
        app: Flask, procedure: dict[str, Any], page: Any, posts: list[tuple[str, int]]) -> None:
    open_apply_form(page)
    # One large "Chụp ảnh / Chọn ảnh" button per paper, a thumbnail once chosen.
    buttons = page.locator("label.file-button")
    assert buttons.count() >= len(procedure["documents"])
    box = buttons.first.bounding_box()
    assert box is not None and box["height"] >= 48 and box["width"] >= 250
    fill_applicant(page, citizen_id="0010901234")
    page.fill("[name=phone]", "0123")
    fill_rest(page, procedure)
    attach_camera_photo(page, procedure["documents"][0], phone_photo())
    attach_other_papers(page, procedure)
    wait_for_thumbnails(page, len(procedure["documents"]))
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)
    page.click("[data-submit]")

    summary = page.locator("[data-module=error-summary]")
    summary.wait_for()
    page.wait_for_function("() => document.activeElement"
                           " && document.activeElement.matches('[data-module=error-summary]')")
    text = summary.inner_text()
    assert "Vui lòng sửa các mục sau" in text
    assert "Số định danh cá nhân phải gồm đúng 12 chữ số." in text
    assert "Số điện thoại di động không đúng. Ví dụ: 0912 345 678." in text
    assert page.get_attribute("[name=citizen_id]", "aria-invalid") == "true"
    assert page.locator("#f-citizen_id-error").is_visible()
    assert sent == [] and posts == [], "nothing went up"
    assert page.is_enabled("[data-submit]")

    page.fill("[name=citizen_id]", CITIZEN_ID)
    page.fill("[name=phone]", PHONE)
    page.click("[data-submit]")
    code = submitted_code(page)
    assert [p for p, _n in posts] == [APPLY_PATH]
    assert_stored_photo_is_clean(app, code, procedure["documents"][0])
