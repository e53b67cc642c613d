"""The PWA in real Chromium: visited pages readable offline, the offline page for the rest,
installability, and nothing of an officer's session left in the phone's caches."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.factories.browser import controlled, kept, until

pytestmark = pytest.mark.browser

VILLAGE = "/v/tanhong-vansa1"
OFFLINE_TITLE = "Không có kết nối mạng"
CACHED_URLS = """async () => {
  const urls = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) urls.push(new URL(request.url).pathname);
  }
  return urls;
}"""


def _h1(page: Any) -> str:
    return " ".join(page.locator("h1").inner_text().split())


def test_visited_pages_stay_readable_offline(page: Any, demo: Any) -> None:
    page.goto(VILLAGE)
    controlled(page)
    village_title = _h1(page)
    links = page.locator("a.card[href^='/procedures/']")
    assert links.count() >= 2, "the village page lists the commune's procedures"
    visited, unvisited = links.nth(0).get_attribute("href"), links.nth(1).get_attribute("href")
    page.goto(VILLAGE)  # now through the worker, so it is kept
    kept(page, VILLAGE)
    page.goto(visited)
    procedure_title, document_title = _h1(page), page.title()
    kept(page, visited)

    page.context.set_offline(True)
    response = page.reload()
    assert response is not None and response.from_service_worker
    assert _h1(page) == procedure_title

    response = page.goto(VILLAGE)
    assert response is not None and response.from_service_worker
    assert _h1(page) == village_title

    page.goto(unvisited)
    assert _h1(page) == OFFLINE_TITLE
    # The offline page offers what can still be read, as links.
    saved = page.locator("[data-module=saved-pages] a")
    saved.first.wait_for()
    assert document_title in saved.all_inner_texts()
    page.context.set_offline(False)


def test_app_is_installable(browser: Any, live_server: str, demo: Any, tmp_path: Path) -> None:
    # Incognito contexts always report "in-incognito": installability needs a real profile.
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS,
        base_url=live_server, locale="vi-VN")
    try:
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(VILLAGE)
        controlled(page)
        cdp = context.new_cdp_session(page)
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["errors"] == []
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    finally:
        context.close()


def test_officer_pages_never_reach_the_cache_and_logout_empties_it(page: Any,
                                                                   demo: Any) -> None:
    login = next(entry for entry in demo.logins if entry.role == "receiving")
    page.goto(VILLAGE)
    controlled(page)
    page.goto(VILLAGE)
    kept(page, VILLAGE)

    page.goto("/officer/login")
    page.fill("#username", login.username)
    page.fill("#password", demo.password)
    page.click("button[type=submit]")
    page.wait_for_url("**/officer/inbox")
    officer_title = _h1(page)
    page.goto(VILLAGE)  # a public page, but seen by a signed-in officer: private too
    page.goto("/officer/inbox")
    assert not [u for u in page.evaluate(CACHED_URLS) if u.startswith("/officer")]

    page.context.set_offline(True)
    page.goto("/officer/inbox")
    assert _h1(page) == OFFLINE_TITLE != officer_title
    page.context.set_offline(False)

    page.goto("/officer/account")
    page.locator("form[action$='/officer/logout'] button").click()
    page.wait_for_url("**/officer/login?logged_out=1")
    # The worker drops every kept page on logout: the next person on this phone sees none.
    until(page, "async (path) => !(await caches.match(new URL(path, location.href).href))",
           VILLAGE, what="the kept pages to be dropped")
    cached = page.evaluate(CACHED_URLS)
    assert not [u for u in cached if u.startswith("/officer")]
    assert VILLAGE not in cached
