"""Citizen sign-in in real Chromium against the real OpenID provider: the provider's login
and consent forms, the prefilled apply form, and sign-out emptying the worker's caches."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.factories.browser import controlled, kept, until
from tests.factories.world import PROCEDURE, World
from tests.oidc_fixture import OidcProvider

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _provider(oidc_env: OidcProvider) -> None:
    """The app signs citizens in at the test provider."""


@pytest.fixture
def tab(browser: Any, oidc_live_server: str) -> Iterator[Any]:
    context = browser.new_context(base_url=oidc_live_server, locale="vi-VN")
    context.set_default_timeout(60_000)  # a shared machine: generous, never asserted on
    try:
        yield context.new_page()
    finally:
        context.close()


def test_sign_in_prefills_the_form_and_sign_out_leaves_nothing(tab: Any, world: World,
                                                               oidc_live_server: str) -> None:
    public = f"/procedures/{PROCEDURE}"
    tab.goto(public)
    controlled(tab)
    tab.goto(public)
    kept(tab, public)

    tab.goto(f"{public}/apply")
    assert tab.locator("#f-applicant_name").input_value() == ""
    tab.locator(".notice a[href^='/login']").click()
    # The provider's own pages: its login form, then its consent form.
    tab.wait_for_selector("input[name=login]")
    tab.fill("input[name=login]", "citizen-lan")
    tab.fill("input[name=password]", "mat-khau")
    tab.click("button[type=submit]")
    tab.wait_for_selector("input[name=prompt][value=consent]", state="attached")
    tab.click("button[type=submit]")
    tab.wait_for_url(f"{oidc_live_server}{public}/apply")

    assert tab.locator("#prefilled").is_visible()
    assert tab.locator("#f-applicant_name").input_value() == "Nguyễn Thị Lan"
    assert tab.locator("#f-citizen_id").input_value() == "001190012345"
    assert tab.locator("#f-phone").input_value() == "0912345678"
    assert tab.locator("#f-birth_date").input_value() == "1990-05-12"
    assert tab.locator("h1").count() == 1
    tab.set_viewport_size({"width": 320, "height": 640})  # the header still fits a small phone
    assert tab.evaluate("() => document.documentElement.scrollWidth") <= 320

    tab.locator(".account-nav a").click()
    tab.wait_for_url("**/me/dossiers")
    tab.locator(".account-nav button").click()
    tab.wait_for_url(f"{oidc_live_server}/")
    assert tab.locator(".account-nav").count() == 0
    assert tab.locator("a.signin").is_visible()
    # The worker saw the sign-out and dropped the pages it kept.
    until(tab, "async (path) => !(await caches.match(new URL(path, location.href).href))",
           public, what="the kept pages to be dropped")
