"""Chromium: a counter tablet rates while offline, then sends its queue once back online;
the server stores each tap exactly once."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.accounts.models import Officer
from app.extensions import db
from app.feedback import kiosk
from app.feedback.models import Counter, KioskRating
from tests.factories.world import World

pytestmark = pytest.mark.browser


def _kiosk_counter(app: Flask, world: World) -> tuple[int, str]:
    """A counter and the cookie an officer's "open the kiosk here" would leave."""
    with app.app_context():
        desk = db.session.get(Officer, world.officers["receiving"])
        counter = Counter(agency_id=desk.agency_id, name="Quầy 1", officer_id=desk.id)
        db.session.add(counter)
        db.session.commit()
        with app.test_request_context():
            response = kiosk.lock_to(app.response_class(), counter)
        cookie = response.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
        return counter.id, cookie


def _stored(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(KioskRating.score)))


def test_offline_taps_are_sent_once_when_back_online(app, browser, live_server, world):
    counter_id, cookie = _kiosk_counter(app, world)
    context = browser.new_context(base_url=live_server, locale="vi-VN")
    context.add_cookies([{"name": kiosk.COOKIE, "value": cookie,
                          "domain": urlparse(live_server).hostname, "path": "/kiosk",
                          "sameSite": "Strict", "httpOnly": True}])
    page = context.new_page()
    try:
        page.goto(f"/kiosk/{counter_id}")
        assert page.locator("h1").count() == 1
        context.set_offline(True)
        page.click("button.kiosk-satisfied")
        assert page.locator(".kiosk-thanks").is_visible()
        # One rating per visit: taps during the thanks screen do nothing.
        assert not page.locator("button.kiosk-neutral").is_visible()
        page.wait_for_function("() => document.querySelector('.kiosk-queue').hidden === false")
        assert _stored(app) == []
        queued = page.evaluate(
            f"() => JSON.parse(localStorage.getItem('motcua-kiosk-queue-{counter_id}'))")
        assert len(queued) == 1 and queued[0]["score"] == "satisfied"

        context.set_offline(False)
        page.wait_for_function(
            f"() => JSON.parse(localStorage.getItem('motcua-kiosk-queue-{counter_id}')).length"
            " === 0",
            timeout=60_000)
        assert _stored(app) == ["satisfied"]
        # The same queue sent again (a retry after a lost answer) stores nothing new.
        status = page.evaluate(
            """async ([url, item]) => (await fetch(url, {method: 'POST',
                 headers: {'Content-Type': 'application/json'},
                 body: JSON.stringify({ratings: [item]})})).status""",
            [f"/kiosk/{counter_id}/ratings", queued[0]])
        assert status == 200
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(KioskRating)) == 1
        # Back to the start screen, a second visitor rates online.
        page.click(".kiosk-thanks a")
        page.click("button.kiosk-not_satisfied")
        page.wait_for_function(
            f"() => JSON.parse(localStorage.getItem('motcua-kiosk-queue-{counter_id}')).length"
            " === 0",
            timeout=60_000)
        assert sorted(_stored(app)) == ["not_satisfied", "satisfied"]
    finally:
        context.close()
