"""Web push: a fixed VAPID key (the `push_app` fixture), a phone subscribed through the
dossier page, and a worker with short retry delays drained until nothing is due."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.notifications.models import Notification
from app.notifications.vapid import generate_private_key, public_key
from app.notifications.worker import Policy, Worker
from tests.factories.pages import csrf_token
from tests.push_service import PushService, Subscriber

VAPID_KEY = generate_private_key()
FAST = Policy(batch=50, lease=5.0, base_delay=0.05, max_delay=0.4, timeout=(1.0, 2.0))


def server_key(app: Flask) -> str:
    with app.app_context():
        return public_key(app)


def subscribe_phone(client: Any, app: Flask, service: PushService, code: str,
                    secret: str = "") -> Subscriber:
    """What push.js does on the dossier page: subscribe, then POST the subscription."""
    phone = service.new_subscriber(server_key(app))
    page = client.get(f"/d/{code}" + (f"?t={secret}" if secret else ""))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    match = re.search(r'data-csrf="([^"]+)"', html)
    token = match.group(1) if match else csrf_token(html)
    response = client.post(f"/d/{code}/push", data=json.dumps(
        {"subscription": phone.subscription()}), content_type="application/json",
        headers={"X-CSRFToken": token})
    assert response.status_code == 200, response.get_data(as_text=True)
    return phone


def make_worker(app: Flask, policy: Policy = FAST) -> Worker:
    return Worker(app, dataclasses.replace(policy))


def drain(app: Flask, worker: Worker | None = None, rounds: int = 50) -> None:
    """Run worker rounds until nothing is due (retries included, with FAST delays)."""
    worker = worker or make_worker(app)
    import time

    with app.app_context():
        for _ in range(rounds):
            if worker.run_once():
                continue
            pending = db.session.scalars(select(Notification.id).where(
                Notification.status == "pending")).all()
            db.session.remove()
            if not pending:
                return
            time.sleep(0.1)
