"""Chromium: the hall TV display read from across the hall — it fills the screen, its
smallest text is large, and it shows the day the Vietnamese way."""

from __future__ import annotations

from datetime import date

import pytest

from app.extensions import db
from app.places.models import Agency
from app.procedures.models import Procedure
from tests import factories as f

pytestmark = pytest.mark.browser

FROZEN_DAY = date(2026, 12, 2)
SHOWN_DAY = "Thứ Tư, ngày 02/12/2026"
# (width, height, smallest font in px). 28 px on a 1080-line TV is readable at 3 m; a smaller
# screen gets the same share of its height (28 × 720 / 1080 ≈ 18.7, × 768 / 1080 ≈ 19.9).
SCREENS = [(1920, 1080, 28), (1366, 768, 19.5), (1280, 720, 18.5)]
MIN_COVERED = 0.9  # of the width and of the height, by the visible text

# Every visible piece of text: its box (from a Range, so only the glyphs) and its font size.
MEASURE = """() => {
  const w = innerWidth, h = innerHeight;
  const doc = document.documentElement;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let left = w, top = h, right = 0, bottom = 0, smallest = Infinity, pieces = 0, cut = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim()) continue;
    const el = node.parentElement, style = getComputedStyle(el);
    if (style.visibility === 'hidden' || el.closest('[hidden], noscript, script')) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) {
      if (r.width === 0 || r.right <= 0 || r.bottom <= 0 || r.left >= w || r.top >= h) continue;
      left = Math.min(left, r.left); top = Math.min(top, r.top);
      right = Math.max(right, r.right); bottom = Math.max(bottom, r.bottom);
      smallest = Math.min(smallest, parseFloat(style.fontSize));
      pieces++;
      // Text running out of its panel (or off the screen) is cut off, not read.
      const box = (el.closest('section') || doc).getBoundingClientRect();
      if (r.left < Math.max(box.left, 0) - 1 || r.right > Math.min(box.right, w) + 1 ||
          r.top < Math.max(box.top, 0) - 1 || r.bottom > Math.min(box.bottom, h) + 1) {
        cut.push(node.textContent.trim());
      }
    }
  }
  return {width: (right - left) / w, height: (bottom - top) / h, smallest, pieces, cut,
          scrolls: doc.scrollHeight > h + 1 || doc.scrollWidth > w + 1};
}"""


READY = 24  # results waiting at the desk on a busy morning: all must be readable


@pytest.fixture
def hall(app, commune):
    """The commune of `commune` with READY results ready, the day fixed on the app's clock."""
    with app.app_context():
        home = db.session.get(Agency, commune["home_id"])
        procedure = db.session.get(Procedure, commune["proc_id"])
        for _ in range(READY - 1):  # `commune` has one already
            f.dossier(home, procedure, "result_ready")
        db.session.commit()
    app.config["VIETNAM_TODAY"] = FROZEN_DAY
    return "tanhong"


@pytest.mark.parametrize(("width", "height", "min_font"), SCREENS)
def test_the_display_fills_the_screen_in_large_type(browser, live_server, hall, commune,
                                                     width, height, min_font):
    context = browser.new_context(base_url=live_server, locale="vi-VN",
                                  viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        page.goto(f"/display/{hall}")
        m = page.evaluate(MEASURE)
        assert m["pieces"] > 10
        assert m["width"] >= MIN_COVERED and m["height"] >= MIN_COVERED, m
        assert m["smallest"] >= min_font, m
        assert not m["scrolls"], "the display must fit the screen without scrolling"
        assert m["cut"] == [], "text cut off by its panel or the screen edge"
        assert page.locator("time[data-k=day_label]").inner_text() == SHOWN_DAY
        assert "2026-12-02" not in page.locator("body").inner_text()
        # Shown without the commune's code, which the panel says once above them.
        ready = commune["codes"]["ready"]
        assert ready.startswith("000.31.12.H26-")
        assert page.locator(".codes-prefix").inner_text() == "Mã hồ sơ 000.31.12.H26-…"
        assert page.locator(".codes li").count() == READY
        assert ready.removeprefix("000.31.12.H26-") in page.locator(".codes").inner_text()
    finally:
        context.close()


def test_the_fullscreen_button_fills_the_screen_and_then_hides(browser, live_server, hall):
    context = browser.new_context(base_url=live_server, locale="vi-VN",
                                  viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    try:
        page.goto(f"/display/{hall}")
        button = page.get_by_role("button", name="Toàn màn hình")
        assert button.is_visible()
        button.click()
        page.wait_for_function("() => document.fullscreenElement === document.documentElement")
        assert not button.is_visible()
    finally:
        context.close()


def test_without_javascript_the_page_still_refreshes_itself(browser, live_server, hall):
    context = browser.new_context(base_url=live_server, locale="vi-VN",
                                  java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"/display/{hall}")
        assert page.locator("time[data-k=day_label]").inner_text() == SHOWN_DAY
        # No script, so no fullscreen button (it would do nothing).
        assert not page.get_by_role("button", name="Toàn màn hình").is_visible()
        refresh = page.locator('meta[http-equiv="refresh"]')
        assert refresh.count() == 1 and refresh.get_attribute("content") == "60"
    finally:
        context.close()
