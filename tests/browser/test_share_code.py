"""Chromium: the dossier code's button copies exactly the code — never the page's address,
which carries the tracking secret — and without JavaScript the code stays on the page,
selectable, with no button."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.factories.payments import new_dossier

pytestmark = pytest.mark.browser


def test_the_copy_button_puts_only_the_code_on_the_clipboard(app, browser, live_server,
                                                              pay_world):
    code = new_dossier(app, pay_world, receive=False)
    context = browser.new_context(base_url=live_server, locale="vi-VN")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    # A phone without Web Share (desktop Chromium has none either): the copy path.
    context.add_init_script("delete Navigator.prototype.share; delete navigator.share;")
    page = context.new_page()
    try:
        page.goto(f"/d/{code}/submitted?t={f.SECRET}")
        assert f.SECRET in page.url  # the address holds the secret…
        button = page.locator("#share-code")
        assert button.is_visible()
        assert button.inner_text() == "Sao chép mã hồ sơ"
        button.click()
        page.locator("[data-module=share-code] [role=status]").filter(
            has_text="Đã sao chép mã hồ sơ.").wait_for()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == code  # …the clipboard only the code
        assert f.SECRET not in copied and "t=" not in copied
    finally:
        context.close()


def test_sharing_sends_the_code_and_the_public_tracking_page_only(app, browser, live_server,
                                                                  pay_world):
    code = new_dossier(app, pay_world, receive=False)
    context = browser.new_context(base_url=live_server, locale="vi-VN")
    # Web Share as a phone has it, recording what the page hands over.
    context.add_init_script("navigator.share = function (data) {"
                            " window.__shared = data; return Promise.resolve(); };")
    page = context.new_page()
    try:
        page.goto(f"/d/{code}/submitted?t={f.SECRET}")
        button = page.locator("#share-code")
        assert button.inner_text() == "Chia sẻ mã hồ sơ"
        button.click()
        shared = page.evaluate("window.__shared")
        assert shared["text"] == code and shared["title"] == code
        assert shared["url"] == f"{live_server}/track?code={code}"
        assert f.SECRET not in str(shared)
    finally:
        context.close()


def test_without_javascript_the_code_is_shown_and_the_button_is_absent(app, browser,
                                                                        live_server, pay_world):
    code = new_dossier(app, pay_world, receive=False)
    context = browser.new_context(base_url=live_server, locale="vi-VN", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"/d/{code}/submitted?t={f.SECRET}")
        assert page.locator("#dossier-code").inner_text() == code
        assert not page.locator("#share-code").is_visible()
        # What the button would share carries no secret either.
        box = page.locator("[data-module=share-code]")
        shared = " ".join(box.get_attribute(a) or "" for a in ("data-code", "data-track-path"))
        assert f.SECRET not in shared and code in shared
    finally:
        context.close()
