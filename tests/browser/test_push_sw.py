"""The service worker's push handler in Chromium: a push (delivered through the DevTools
protocol, since headless Chromium cannot subscribe to a real push service) shows the
notification with the app icon, and a click on it opens the dossier page."""

from __future__ import annotations

import time
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.notifications.models import Notification
from app.notifications.worker import push_body
from tests.factories.world import World, officer_move, submit


def until(page: Any, script: str, what: str) -> Any:
    deadline = time.monotonic() + 20
    while True:
        value = page.evaluate(script)
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        page.wait_for_timeout(100)


def test_push_shows_the_notification_and_a_click_opens_the_dossier(
        page: Any, app: Flask, client: Any, world: World, live_server: str) -> None:
    code, secret = submit(client, world)
    page.context.grant_permissions(["notifications"], origin=live_server)
    page.goto(f"/d/{code}?t={secret}")
    # The button explains first; the browser asks only after "Cho phép thông báo".
    start = page.locator("#push-start")
    start.wait_for(state="visible")
    assert start.inner_text() == "Nhận thông báo khi hồ sơ có kết quả"
    assert not page.locator("#push-stop").is_visible()
    assert not page.locator("#push-explain").is_visible()
    start.click()
    assert not start.is_visible()
    assert page.locator("#push-explain").is_visible()
    assert "không ghi tên hay số căn cước" in page.locator("#push-explain").inner_text()

    until(page, "() => navigator.serviceWorker.controller !== null", "the service worker")
    cdp = page.context.new_cdp_session(page)
    registrations: list[dict[str, Any]] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated",
           lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + 10
    while not registrations and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert registrations, "no service worker registration reported"

    officer_move(app, code, "receive", world.officers["receiving"])
    with app.app_context():
        body = push_body(db.session.scalar(select(Notification)))
        db.session.remove()
    cdp.send("ServiceWorker.deliverPushMessage", {
        "origin": live_server, "registrationId": registrations[0]["registrationId"],
        "data": body})
    shown = until(page, """async () => {
        const reg = await navigator.serviceWorker.ready;
        return (await reg.getNotifications()).map((n) => ({
            title: n.title, body: n.body, icon: n.icon, tag: n.tag, url: n.data.url}));
    }""", "the notification")
    assert len(shown) == 1
    assert shown[0]["title"] == f"Hồ sơ {code} đã được tiếp nhận"
    assert shown[0]["body"].startswith("Ngày hẹn trả kết quả: ")
    assert shown[0]["icon"].endswith("/icons/icon-192.png")
    assert shown[0]["url"] == f"/d/{code}"

    # A second copy of the same message (a resend after a crash) replaces, never adds.
    cdp.send("ServiceWorker.deliverPushMessage", {
        "origin": live_server, "registrationId": registrations[0]["registrationId"],
        "data": body})
    page.wait_for_timeout(500)
    assert page.evaluate("""async () => (await (await navigator.serviceWorker.ready)
        .getNotifications()).length""") == 1

    # The click, with the app open on another page: that window goes to the dossier.
    page.goto("/")
    until(page, "() => navigator.serviceWorker.controller !== null", "control of /")
    worker = page.context.service_workers[0]
    worker.evaluate("""async () => {
        const [n] = await self.registration.getNotifications();
        // A script-made event may not call waitUntil (the spec's rule for untrusted
        // events), so the test keeps the handler's promise itself.
        const event = new NotificationEvent("notificationclick", { notification: n });
        event.waitUntil = (p) => { self.__clicked = p; };
        self.dispatchEvent(event);
        await self.__clicked;
    }""")
    page.wait_for_url(f"{live_server}/d/{code}", timeout=20000)
    assert code in page.locator("h1").inner_text()
    assert page.evaluate("""async () => (await (await navigator.serviceWorker.ready)
        .getNotifications()).length""") == 0  # the click closed it
