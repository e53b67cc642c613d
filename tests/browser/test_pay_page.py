"""Chromium: the payment page shows the VietQR code and turns to "paid" when the bank's
notice arrives, without a reload."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.factories.payments import new_dossier, pay, payment

pytestmark = pytest.mark.browser


def test_pay_page_switches_to_paid_when_the_webhook_arrives(app, page, pay_world):
    code = new_dossier(app, pay_world)
    ref = payment(app, code)["reference"]
    page.goto(f"/d/{code}/pay?t={f.SECRET}")
    assert page.locator("h1").count() == 1
    assert page.locator(".pay-qr svg").is_visible()
    assert page.locator("#pay-status").inner_text() == "Chưa thanh toán"
    assert page.locator("button[data-copy]").first.is_visible()  # JS showed the copy buttons
    marker = page.evaluate("window.__notReloaded = true")
    assert marker is True
    pay(app.test_client(), "browser-tx", 12000, f"mc {ref[2:8]} {ref[8:]} chuyen tien")
    # Playwright's expect polls from outside the page (the CSP forbids eval inside it).
    expect(page.locator("#pay-status")).to_have_text("Đã thanh toán", timeout=30000)
    assert page.evaluate("window.__notReloaded === true")  # switched in place
    assert page.locator("#pay-done").is_visible()
    assert not page.locator(".pay-qr svg").is_visible()
