"""Chromium: the hall screen shows the number a counter calls, chimes and reads it aloud, and
the villager's ticket page keeps showing the number offline."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from app.extensions import db
from app.places.models import Agency
from tests import factories as f
from tests.factories.browser import controlled, kept, until
from tests.factories.pages import csrf_token
from tests.factories.queues import make_desk, open_all_day

pytestmark = pytest.mark.browser

# The browser's voices, replaced by one Vietnamese voice that writes down what it says.
VOICE = """
(() => {
  window.spoken = [];
  const voice = {lang: 'vi-VN', name: 'test', voiceURI: 'test', localService: true};
  Object.defineProperty(window, 'speechSynthesis', {configurable: true, value: {
    getVoices: () => [voice], speak: (u) => window.spoken.push([u.text, u.lang])}});
  window.SpeechSynthesisUtterance = function (text) { this.text = text; };
})();
"""


@pytest.fixture
def hall(app: Flask) -> dict[str, Any]:
    with app.app_context():
        desk = make_desk(slug="tanhong", code="000.31.12.H26")
        open_all_day(desk.agency_id)
        home = db.session.get(Agency, desk.agency_id)
        assert home is not None
        officer = f.officer(home, "receiving").username
        db.session.commit()
    return {"desk": desk, "officer": officer}


def _call_next(app: Flask, hall: dict[str, Any], counter: int) -> None:
    """"Gọi số tiếp theo" pressed by the desk officer, in a client of its own."""
    officer = f.signed_in(app, hall["officer"])
    page = officer.get(f"/officer/queue?counter={counter}")
    response = officer.post("/officer/queue/call", data={
        "csrf_token": csrf_token(page.data), "counter": counter, "queue": hall["desk"].civil})
    assert response.status_code == 303


def test_a_call_at_the_counter_shows_on_the_hall_screen_and_is_read_aloud(
        app: Flask, browser: Any, live_server: str, hall: dict[str, Any]) -> None:
    villager = app.test_client()
    for _ in range(2):
        page = villager.get("/q/tanhong")
        villager.post("/q/tanhong", data={"csrf_token": csrf_token(page.data),
                                          "queue": hall["desk"].civil})
    context = browser.new_context(base_url=live_server, locale="vi-VN",
                                  viewport={"width": 1920, "height": 1080})
    context.add_init_script(VOICE)
    screen = context.new_page()
    try:
        screen.goto("/display/tanhong")
        assert "Chưa gọi số nào" in screen.inner_text(".hall-calls")
        # The script has its first answer (nothing new in it, so nothing is said).
        until(screen, "() => document.querySelector('.hall-calls').dataset.calls === '0'")
        _call_next(app, hall, hall["desk"].counters[1])
        until(screen, "() => document.querySelector('.hall-call-list').innerText"
                      ".includes('A001')", what="the call on the screen")
        assert screen.inner_text(".hall-call-list").split() == ["Quầy", "2", "A001"]
        until(screen, "() => window.spoken.length === 1", what="the call read aloud")
        assert screen.evaluate("() => window.spoken") == [["Mời số A001 đến Quầy 2", "vi-VN"]]
        # Read from across the hall: the number is the largest text on the screen.
        size = screen.evaluate("() => parseFloat(getComputedStyle("
                               "document.querySelector('.hall-call-list b')).fontSize)")
        assert size >= 100
        scrolls = screen.evaluate("() => document.documentElement.scrollHeight > innerHeight")
        assert not scrolls
    finally:
        context.close()


def test_the_ticket_page_shows_the_number_offline_and_without_javascript(
        app: Flask, browser: Any, live_server: str, hall: dict[str, Any]) -> None:
    context = browser.new_context(base_url=live_server, locale="vi-VN")
    page = context.new_page()
    try:
        page.goto("/q/tanhong")
        # The worker active before the ticket page opens, so it controls that page too.
        controlled(page)
        page.click("text=Lấy số Hộ tịch")
        page.wait_for_url("**/q/t/**")
        ticket = page.url
        assert "A001" in page.inner_text(".ticket") and "Bạn là người tiếp theo." in \
            page.inner_text("main")
        controlled(page)
        # Called in another context: the open page says so without a reload.
        _call_next(app, hall, hall["desk"].counters[0])
        until(page, "() => document.querySelector('.ticket-state').innerText"
                    ".includes('Mời bạn đến Quầy 1.')", what="the page updated in place")
        page.reload()  # through the worker, which keeps the ticket page
        kept(page, ticket)
        context.set_offline(True)
        response = page.reload()
        assert response is not None and response.from_service_worker
        assert "A001" in page.inner_text(".ticket")
        assert "Mời bạn đến Quầy 1." in page.inner_text("main")
    finally:
        context.close()
    plain = browser.new_context(base_url=live_server, locale="vi-VN", java_script_enabled=False)
    page = plain.new_page()
    try:
        for _ in range(2):  # A002, then A003 on this page
            page.goto("/q/tanhong")
            page.click("text=Lấy số Hộ tịch")
            page.wait_for_url("**/q/t/**")
        assert "Còn 1 người trước bạn." in page.inner_text("main")
        _call_next(app, hall, hall["desk"].counters[1])
        page.reload()
        assert "Bạn là người tiếp theo." in page.inner_text("main")
    finally:
        plain.close()
