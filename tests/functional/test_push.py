"""Web push end to end: officer actions -> outbox -> worker -> the local push service, which
checks VAPID, decrypts, and records the exact Vietnamese text the phone would show."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from sqlalchemy import func, select

from app.dossiers.models import Dossier
from app.extensions import db
from app.notifications.models import Delivery, Notification, PushSubscription
from tests.factories.dossiers import COLLECTED_BY_RELATIVE
from tests.factories.push import drain, subscribe_phone
from tests.factories.world import World, officer_move, submit
from tests.push_service import PushService


def _due(app: Flask, code: str) -> date:
    with app.app_context():
        return db.session.scalar(select(Dossier.due_date).where(Dossier.code == code))


def _post_from_dossier_page(client, code: str, path: str, payload: dict):
    """POST to /d/<code>/<path> with the CSRF token the dossier page hands to push.js."""
    import re

    page = client.get(f"/d/{code}").get_data(as_text=True)
    token = re.search(r'data-csrf="([^"]+)"', page).group(1)
    return client.post(f"/d/{code}/{path}", json=payload, headers={"X-CSRFToken": token})


def _subscriptions(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(PushSubscription.id)))


def test_each_action_pushes_its_exact_vietnamese_text(push_app: Flask, client, world: World,
                                                      push_service: PushService) -> None:
    code, secret = submit(client, world)
    phone = subscribe_phone(client, push_app, push_service, code, secret)
    o = world.officers
    officer_move(push_app, code, "request_supplement", o["receiving"],
                 note="Bản sao giấy chứng sinh có chứng thực")
    drain(push_app)
    assert push_service.messages(phone) == [{
        "title": f"Hồ sơ {code} cần bổ sung giấy tờ",
        "body": "Cần bổ sung: Bản sao giấy chứng sinh có chứng thực",
        "url": f"/d/{code}", "tag": push_service.messages(phone)[0]["tag"]}]
    # The citizen sends the paper; the desk receives: a due date.
    with push_app.app_context():
        from app.dossiers.workflow import Actor, apply

        dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
        apply(dossier, "resubmit", Actor.citizen(), note="Đã chụp bản sao")
        db.session.commit()
    officer_move(push_app, code, "receive", o["receiving"])
    due = _due(push_app, code)
    officer_move(push_app, code, "assign", o["receiving"], officer_id=o["specialist"])
    new_due = due + timedelta(days=3)
    officer_move(push_app, code, "apologize", o["specialist"], new_due_date=new_due,
                 note="Chờ xác minh")
    officer_move(push_app, code, "mark_result_ready", o["specialist"])
    officer_move(push_app, code, "return_result", o["receiving"],
                 **COLLECTED_BY_RELATIVE)
    drain(push_app)
    got = [(m["title"], m["body"]) for m in push_service.messages(phone)]
    assert got == [
        (f"Hồ sơ {code} cần bổ sung giấy tờ",
         "Cần bổ sung: Bản sao giấy chứng sinh có chứng thực"),
        (f"Hồ sơ {code} đã được tiếp nhận",
         f"Ngày hẹn trả kết quả: {due.strftime('%d/%m/%Y')}."),
        (f"Xin lỗi: hồ sơ {code} chậm so với ngày hẹn",
         f"Ngày hẹn trả kết quả mới: {new_due.strftime('%d/%m/%Y')}."),
        (f"Hồ sơ {code} đã có kết quả",
         "Mời bạn đến bộ phận một cửa Xã A để nhận, nhớ mang theo căn cước."),
        (f"Mời bạn đánh giá hồ sơ {code}",
         "Hồ sơ đã trả kết quả. Bạn có hài lòng không? Một phút đánh giá giúp xã phục vụ "
         "tốt hơn."),
    ]
    assert push_service.messages(phone)[-1]["url"] == f"/d/{code}/rating"
    received = push_service.wait_for(5)
    assert [r.headers["Urgency"] for r in received] == ["high", "normal", "normal", "high",
                                                        "low"]
    assert all(int(r.headers["TTL"]) > 0 for r in received)
    # Nothing personal: no name, phone or citizen ID in any payload.
    raw = repr(push_service.messages())
    for personal in ("Nguyễn", "0912345678", "001090123456"):
        assert personal not in raw
    assert push_service.rejected == []


def test_rejection_says_why_and_the_inbox_shows_it(push_app: Flask, client, world: World,
                                                   push_service: PushService) -> None:
    code, secret = submit(client, world)
    phone = subscribe_phone(client, push_app, push_service, code, secret)
    officer_move(push_app, code, "reject", world.officers["receiving"],
                 note="Thủ tục này thuộc thẩm quyền của UBND huyện")
    drain(push_app)
    assert [(m["title"], m["body"]) for m in push_service.messages(phone)] == [
        (f"Hồ sơ {code} không được tiếp nhận",
         "Lý do: Thủ tục này thuộc thẩm quyền của UBND huyện")]
    page = client.get(f"/d/{code}").get_data(as_text=True)
    assert "Thông báo về hồ sơ" in page
    assert f"Hồ sơ {code} không được tiếp nhận" in page


def test_citizen_without_push_still_sees_every_notification(push_app: Flask, client,
                                                            world: World) -> None:
    code, secret = submit(client, world)
    officer_move(push_app, code, "receive", world.officers["receiving"])
    drain(push_app)
    page = client.get(f"/d/{code}?t={secret}").get_data(as_text=True)
    assert f"Hồ sơ {code} đã được tiếp nhận" in page
    assert "Nhận thông báo khi hồ sơ có kết quả" in page
    with push_app.app_context():
        status = db.session.scalar(select(Notification.status))
    assert status == "no_subscription"


def test_notification_row_shares_the_event_transaction(push_app: Flask, client,
                                                       world: World) -> None:
    code, _secret = submit(client, world)
    from app.accounts.models import Officer
    from app.dossiers.workflow import Actor, apply

    with push_app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
        apply(dossier, "receive", Actor.for_officer(
            db.session.get(Officer, world.officers["receiving"])))
        db.session.rollback()  # the officer's request failed after the move
        assert db.session.scalar(select(func.count(Notification.id))) == 0
    officer_move(push_app, code, "receive", world.officers["receiving"])
    with push_app.app_context():
        assert db.session.scalar(select(func.count(Notification.id))) == 1


def test_410_removes_the_subscription(push_app: Flask, client, world: World,
                                      push_service: PushService) -> None:
    code, secret = submit(client, world)
    phone = subscribe_phone(client, push_app, push_service, code, secret)
    push_service.forget(phone)  # the phone unsubscribed at its push service
    officer_move(push_app, code, "receive", world.officers["receiving"])
    drain(push_app)
    with push_app.app_context():
        assert db.session.scalar(select(func.count(PushSubscription.id))) == 0
        assert db.session.scalar(select(Notification.status)) == "no_subscription"
    assert (410, "no such subscription") in push_service.rejected


def test_429_retry_after_is_honoured(push_app: Flask, client, world: World,
                                     push_service: PushService) -> None:
    import time

    from tests.factories.push import make_worker

    code, secret = submit(client, world)
    phone = subscribe_phone(client, push_app, push_service, code, secret)
    officer_move(push_app, code, "receive", world.officers["receiving"])
    push_service.fail(429, times=1, retry_after="2")
    worker = make_worker(push_app)
    started = time.time()
    with push_app.app_context():
        assert worker.run_once() == 1  # answered 429: rescheduled
        row = db.session.scalar(select(Notification))
        assert row.status == "pending" and row.attempts == 1
        wait = (row.next_attempt_at.replace(tzinfo=None)
                - __import__("datetime").datetime.utcnow()).total_seconds()
        assert wait > 1.5  # Retry-After: 2 beats the 0.05 s backoff
        assert worker.run_once() == 0  # not due yet: nothing sent early
        db.session.remove()
    assert push_service.messages(phone) == []
    drain(push_app, worker)
    assert len(push_service.messages(phone)) == 1
    assert push_service.wait_for(1)[0].at - started >= 2.0
    with push_app.app_context():
        assert db.session.scalar(select(func.count(Delivery.id))) == 1


def test_subscription_follows_later_dossiers_of_the_same_phone(
        push_app: Flask, client, world: World, push_service: PushService) -> None:
    first, secret = submit(client, world)
    phone = subscribe_phone(client, push_app, push_service, first, secret)
    second, _s = submit(client, world)
    # push.js finds the existing subscription on the new dossier's page and links it.
    response = _post_from_dossier_page(client, second, "push",
                                       {"subscription": phone.subscription()})
    assert response.status_code == 200 and response.get_json()["dossiers"] == 2
    officer_move(push_app, second, "receive", world.officers["receiving"])
    drain(push_app)
    assert [m["url"] for m in push_service.messages(phone)] == [f"/d/{second}"]


def test_subscribe_needs_csrf_and_access(push_app: Flask, client, world: World,
                                         push_service: PushService) -> None:
    code, _secret = submit(client, world)
    phone = push_service.new_subscriber()
    no_token = client.post(f"/d/{code}/push", json={"subscription": phone.subscription()})
    assert no_token.status_code == 400
    stranger = push_app.test_client()
    html = stranger.get("/track").get_data(as_text=True)
    import re

    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    other = stranger.post(f"/d/{code}/push", json={"subscription": phone.subscription()},
                          headers={"X-CSRFToken": token})
    assert other.status_code == 404
    bad = dict(phone.subscription(), keys={"p256dh": "AAAA", "auth": "AAAA"})
    refused = _post_from_dossier_page(client, code, "push", {"subscription": bad})
    assert refused.status_code == 400
    assert _subscriptions(push_app) == 0


def test_unsubscribe_and_resubscribe(push_app: Flask, client, world: World,
                                     push_service: PushService) -> None:
    code, secret = submit(client, world)
    phone = subscribe_phone(client, push_app, push_service, code, secret)
    # The browser renews the subscription: the service worker reports old and new.
    renewed = push_service.new_subscriber()
    moved = push_app.test_client().post("/push/resubscribe", json={
        "old_endpoint": phone.endpoint, "subscription": renewed.subscription()})
    assert moved.status_code == 200 and moved.get_json()["dossiers"] == 1
    officer_move(push_app, code, "receive", world.officers["receiving"])
    drain(push_app)
    assert push_service.messages(phone) == [] and len(push_service.messages(renewed)) == 1
    off = _post_from_dossier_page(client, code, "push/unsubscribe",
                                  {"endpoint": renewed.endpoint})
    assert off.status_code == 200
    assert _subscriptions(push_app) == 0


def test_officer_sees_which_notifications_went_out(push_app: Flask, client, world: World,
                                                   push_service: PushService) -> None:
    from app.accounts.models import Officer
    from tests import factories

    code, secret = submit(client, world)
    subscribe_phone(client, push_app, push_service, code, secret)
    officer_move(push_app, code, "receive", world.officers["receiving"])
    drain(push_app)
    with push_app.app_context():
        officer = db.session.get(Officer, world.officers["receiving"])
        officer.password_hash = factories.password_hash()
        username = officer.username
        db.session.commit()
    desk = push_app.test_client()
    factories.login(desk, username)
    html = desk.get(f"/officer/dossiers/{code}").get_data(as_text=True)
    assert "Thông báo đã gửi cho người dân" in html
    assert f"Hồ sơ {code} đã được tiếp nhận" in html
    assert "Đã gửi tới 1 điện thoại lúc" in html
