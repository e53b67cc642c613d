"""A ticket's phone turns on push from the ticket page; the desk's calls reach it through the
outbox and the worker, as the local push service decrypts them."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.feedback.models import Counter
from app.queues import services
from app.queues.models import ServiceQueue, Ticket
from tests.factories.pages import csrf_token
from tests.factories.push import drain, server_key
from tests.factories.queues import make_desk, open_all_day
from tests.push_service import PushService, Subscriber


def _take(client: Any) -> str:
    page = client.get("/q/xa-hang")
    civil = re.search(r'name="queue" value="(\d+)"', page.get_data(as_text=True))
    assert civil is not None
    response = client.post("/q/xa-hang", data={"csrf_token": csrf_token(page.data),
                                               "queue": civil.group(1)})
    assert response.status_code == 303
    return str(response.headers["Location"])


def _subscribe(client: Any, app: Flask, service: PushService, ticket_path: str) -> Subscriber:
    """What push.js does on the ticket page: subscribe, then POST to the box's address."""
    phone = service.new_subscriber(server_key(app))
    html = client.get(ticket_path).get_data(as_text=True)
    box = re.search(r'data-subscribe="([^"]+)"[\s\S]*?data-csrf="([^"]+)"', html)
    assert box is not None and box.group(1) == f"{ticket_path}/push"
    response = client.post(box.group(1), data=json.dumps({"subscription": phone.subscription()}),
                           content_type="application/json",
                           headers={"X-CSRFToken": box.group(2)})
    assert response.status_code == 200, response.get_data(as_text=True)
    return phone


def _call_next(app: Flask, counter_name: str) -> None:
    with app.app_context():
        queue = db.session.scalar(select(ServiceQueue).where(ServiceQueue.prefix == "A"))
        counter = db.session.scalar(select(Counter).where(Counter.name == counter_name))
        assert queue is not None and counter is not None
        assert services.call_next(queue, counter) is not None
        db.session.commit()


def test_the_ticket_phone_hears_its_turn_near_and_its_call(push_app: Flask,
                                                           push_service: PushService) -> None:
    with push_app.app_context():
        desk = make_desk()
        open_all_day(desk.agency_id)
        db.session.commit()
    client = push_app.test_client()
    paths = [_take(client) for _ in range(5)]  # A001 … A005
    fifth = _subscribe(client, push_app, push_service, paths[4])
    first = _subscribe(push_app.test_client(), push_app, push_service, paths[0])
    _call_next(push_app, "Quầy 1")  # A001; A005 has three ahead
    _call_next(push_app, "Quầy 2")  # A002; A005 has two ahead, told already
    drain(push_app)
    assert [(m["title"], m["body"]) for m in push_service.messages(first)] == [
        ("Mời số A001 đến Quầy 1", "Cán bộ đang chờ bạn tại Quầy 1.")]
    assert [(m["title"], m["body"]) for m in push_service.messages(fifth)] == [
        ("Sắp đến lượt bạn: còn 3 người trước số A005",
         "Hãy có mặt ở khu vực chờ của Hộ tịch.")]
    assert push_service.messages(fifth)[0]["url"] == paths[4]
    for _ in range(2):
        _call_next(push_app, "Quầy 1")  # A003, A004
    _call_next(push_app, "Quầy 2")  # A005
    with push_app.app_context():
        fifth_ticket = db.session.scalars(select(Ticket).order_by(Ticket.id)).all()[4]
        services.recall(fifth_ticket)
        db.session.commit()
    drain(push_app)
    assert [m["title"] for m in push_service.messages(fifth)] == [
        "Sắp đến lượt bạn: còn 3 người trước số A005",
        "Mời số A005 đến Quầy 2", "Mời số A005 đến Quầy 2"]
    assert push_service.rejected == []


def test_turning_push_off_on_the_ticket_page_stops_its_pushes(push_app: Flask,
                                                              push_service: PushService) -> None:
    with push_app.app_context():
        desk = make_desk()
        open_all_day(desk.agency_id)
        db.session.commit()
    client = push_app.test_client()
    path = _take(client)
    phone = _subscribe(client, push_app, push_service, path)
    html = client.get(path).get_data(as_text=True)
    box = re.search(r'data-unsubscribe="([^"]+)"[\s\S]*?data-csrf="([^"]+)"', html)
    assert box is not None
    response = client.post(box.group(1), data=json.dumps({"endpoint": phone.endpoint}),
                           content_type="application/json", headers={"X-CSRFToken": box.group(2)})
    assert response.status_code == 200
    _call_next(push_app, "Quầy 1")
    drain(push_app)
    assert push_service.messages(phone) == []
