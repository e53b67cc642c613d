"""The citizen pages on a 320 px phone and at 200 % zoom: no sideways scrolling, one h1,
every form control labelled."""

from __future__ import annotations

import pytest

PAGES = [
    "/",
    "/?agency=tanhong",
    "/v/tanhong-lapham",
    "/procedures?q=khai+sinh",
    "/procedures/1.001193?village=tanhong-lapham",
    "/procedures/1.001193/apply?village=tanhong-lapham",
    "/track",
    "/officer/login",
    "/feedback/new",
    "/stats/tanhong",
]

AUDIT = """() => {
  const doc = document.documentElement;
  const unlabelled = [...document.querySelectorAll('input, select, textarea')]
    .filter(el => el.type !== 'hidden' && el.type !== 'submit')
    .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
    .map(el => el.name || el.id);
  return {overflow: doc.scrollWidth - doc.clientWidth,
          h1: document.querySelectorAll('h1').length, unlabelled};
}"""


@pytest.mark.browser
@pytest.mark.parametrize(("width", "scale"), [(320, 1), (640, 2)])
def test_citizen_pages_fit_small_screens_and_zoom(browser, live_server, demo, width, scale):
    # 200 % zoom on a 640 px window lays the page out in 320 CSS pixels, as a phone would.
    context = browser.new_context(base_url=live_server, locale="vi-VN",
                                  viewport={"width": width // scale, "height": 640},
                                  device_scale_factor=scale)
    page = context.new_page()
    try:
        for path in PAGES:
            response = page.goto(path)
            assert response is not None and response.status == 200, path
            found = page.evaluate(AUDIT)
            assert found["overflow"] <= 0, f"{path} scrolls sideways by {found['overflow']} px"
            assert found["h1"] == 1, f"{path} has {found['h1']} h1"
            assert found["unlabelled"] == [], f"{path}: unlabelled {found['unlabelled']}"
    finally:
        context.close()
