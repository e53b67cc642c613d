"""Every write about subscriptions: subscribe a phone to dossiers, move it to a renewed
endpoint, remove it. Flush only; the caller commits."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from app.config import Settings
from app.core.errors import DomainError
from app.dossiers.models import Dossier
from app.extensions import db
from app.notifications import endpoints
from app.notifications.models import (
    Delivery,
    PushSubscription,
    subscription_dossiers,
    subscription_tickets,
)
from app.notifications.vapid import b64url_decode
from app.queues.models import Ticket

MAX_PER_DOSSIER = 10  # the citizen's phones and a few relatives', not a mailing list


def endpoint_hash(endpoint: str) -> str:
    return hashlib.sha256(endpoint.encode()).hexdigest()


class SubscriptionRefused(DomainError):
    status_code = 400


def parse_subscription(raw: Any, settings: Settings) -> dict[str, str]:
    """The browser's PushSubscription JSON, checked: {"endpoint", "p256dh", "auth"}, the
    endpoint on a known push service (app/notifications/endpoints.py)."""
    bad = SubscriptionRefused(_("Đăng ký nhận thông báo không hợp lệ."), code="subscription")
    if not isinstance(raw, dict) or not isinstance(raw.get("keys"), dict):
        raise bad
    endpoint = raw.get("endpoint")
    p256dh = raw["keys"].get("p256dh")
    auth = raw["keys"].get("auth")
    if not (isinstance(endpoint, str) and isinstance(p256dh, str) and isinstance(auth, str)):
        raise bad
    if len(endpoint) > 2000:
        raise bad
    try:
        endpoints.check_url(endpoint, settings)
    except endpoints.EndpointRefused as exc:
        raise SubscriptionRefused(
            _("Địa chỉ nhận thông báo không thuộc dịch vụ thông báo của trình duyệt (Chrome, "
              "Firefox, Safari, Edge). Vui lòng bật lại thông báo từ trình duyệt trên điện "
              "thoại."), code="push_endpoint") from exc
    try:
        point = b64url_decode(p256dh)
        secret = b64url_decode(auth)
    except (ValueError, TypeError) as exc:
        raise bad from exc
    if len(point) != 65 or point[0] != 4 or len(secret) != 16:
        raise bad
    return {"endpoint": endpoint, "p256dh": p256dh, "auth": auth}


def find(endpoint: str) -> PushSubscription | None:
    return db.session.scalar(select(PushSubscription)
                             .where(PushSubscription.endpoint_hash == endpoint_hash(endpoint)))


def subscribe(info: dict[str, str], dossiers: Iterable[Dossier],
              tickets: Iterable[Ticket] = ()) -> PushSubscription:
    """Create or refresh the subscription and follow these dossiers (and queue tickets)
    with it."""
    subscription = find(info["endpoint"])
    if subscription is None:
        subscription = PushSubscription(endpoint_hash=endpoint_hash(info["endpoint"]),
                                        endpoint=info["endpoint"], p256dh=info["p256dh"],
                                        auth=info["auth"])
        db.session.add(subscription)
    else:
        subscription.p256dh, subscription.auth = info["p256dh"], info["auth"]
    for dossier in dossiers:
        if dossier in subscription.dossiers:
            continue
        if _count_for(dossier) >= MAX_PER_DOSSIER:
            raise DomainError(_("Hồ sơ này đã có quá nhiều điện thoại nhận thông báo."),
                              code="too_many_subscriptions")
        subscription.dossiers.append(dossier)
    for ticket in tickets:
        if ticket not in subscription.tickets:
            subscription.tickets.append(ticket)
    db.session.flush()
    return subscription


def _count_for(dossier: Dossier) -> int:
    if dossier.id is None:
        return 0
    return len(db.session.scalars(select(subscription_dossiers.c.subscription_id).where(
        subscription_dossiers.c.dossier_id == dossier.id)).all())


def is_linked(subscription: PushSubscription, dossier: Dossier) -> bool:
    return dossier in subscription.dossiers


def resubscribe(old_endpoint: str, info: dict[str, str]) -> PushSubscription | None:
    """The browser renewed its subscription: the new one follows what the old one did."""
    old = find(old_endpoint)
    if old is None:
        return None
    dossiers, tickets = list(old.dossiers), list(old.tickets)
    if old.endpoint != info["endpoint"]:
        remove(old.id)
    return subscribe(info, dossiers, tickets)


def remove(subscription_id: int) -> None:
    """Forget a subscription (unsubscribed, or 404/410 from its push service). Explicit
    deletes: SQLite does not enforce the foreign keys' ON DELETE here."""
    for followed in (subscription_dossiers, subscription_tickets):
        db.session.execute(delete(followed)
                           .where(followed.c.subscription_id == subscription_id))
    db.session.execute(update(Delivery).where(Delivery.subscription_id == subscription_id)
                       .values(subscription_id=None)
                       .execution_options(synchronize_session=False))
    db.session.execute(delete(PushSubscription).where(PushSubscription.id == subscription_id)
                       .execution_options(synchronize_session=False))
    db.session.expire_all()
