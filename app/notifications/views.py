"""Subscribe and unsubscribe a phone for a dossier's notifications (JSON, CSRF header), the
service worker's re-subscription, and the template helpers for the inbox partials."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.dossiers import access, policies
from app.dossiers import queries as dossier_queries
from app.dossiers.models import Dossier
from app.extensions import csrf, limiter
from app.notifications import queries, services
from app.pwa.cache_policy import keep_private
from app.queues import links
from app.queues.models import Ticket

bp = Blueprint("notifications", __name__)


bp.after_request(keep_private)


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"push_notifications": queries.for_dossier}


def _json() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400)
    return body


def _accessible(code: str, body: dict[str, Any]) -> Dossier:
    dossier = dossier_queries.dossier_by_code(code)
    secret = body.get("t") if isinstance(body.get("t"), str) else None
    if dossier is None or not policies.can_view(dossier, secret):
        abort(404)
    return dossier


def _phone_dossiers(current: Dossier) -> list[Dossier]:
    """This dossier and every other one this phone may open (its "my dossiers" list)."""
    pairs = access.remembered()
    found = dossier_queries.dossiers_by_codes(code for code, _s in pairs)
    others = [found[code] for code, secret in pairs
              if code in found and code != current.code and policies.can_view(found[code], secret)]
    return [current, *others]


def _settings() -> Any:
    return current_app.config["MOTCUA"]


@bp.post("/d/<code>/push")
@limiter.limit("20 per minute")
def subscribe(code: str) -> ResponseReturnValue:
    body = _json()
    dossier = _accessible(code, body)
    info = services.parse_subscription(body.get("subscription"), _settings())
    subscription = services.subscribe(info, _phone_dossiers(dossier))
    count = len(subscription.dossiers)
    return jsonify({"subscribed": True, "dossiers": count,
                    "message": _("Đã bật thông báo. Điện thoại này sẽ nhận tin khi hồ sơ có "
                                 "thay đổi.")})


@bp.post("/d/<code>/push/unsubscribe")
@limiter.limit("20 per minute")
def unsubscribe(code: str) -> ResponseReturnValue:
    body = _json()
    dossier = _accessible(code, body)
    endpoint = body.get("endpoint")
    subscription = services.find(endpoint) if isinstance(endpoint, str) else None
    # Only a phone that follows this dossier may remove the subscription.
    if subscription is not None and services.is_linked(subscription, dossier):
        services.remove(subscription.id)
    return jsonify({"subscribed": False,
                    "message": _("Đã tắt thông báo trên điện thoại này.")})


@bp.post("/push/resubscribe")
@csrf.exempt  # the service worker has no page to take a token from; the old endpoint,
# a secret only that browser and its push service know, is the credential
@limiter.limit("20 per minute")
def resubscribe() -> ResponseReturnValue:
    body = _json()
    old = body.get("old_endpoint")
    if not isinstance(old, str):
        abort(400)
    info = services.parse_subscription(body.get("subscription"), _settings())
    subscription = services.resubscribe(old, info)
    if subscription is None:
        abort(404)
    return jsonify({"subscribed": True, "dossiers": len(subscription.dossiers)})


@bp.post("/q/t/<token>/push")
@limiter.limit("20 per minute")
def subscribe_ticket(token: str) -> ResponseReturnValue:
    """The ticket's phone asks for "Sắp đến lượt bạn" and "Mời số … đến quầy": the signed
    link is the credential, as it is for the ticket page."""
    ticket = _ticket(token)
    info = services.parse_subscription(_json().get("subscription"), _settings())
    services.subscribe(info, (), [ticket])
    return jsonify({"subscribed": True,
                    "message": _("Đã bật thông báo. Điện thoại này sẽ nhận tin khi sắp đến "
                                 "lượt và khi được gọi.")})


@bp.post("/q/t/<token>/push/unsubscribe")
@limiter.limit("20 per minute")
def unsubscribe_ticket(token: str) -> ResponseReturnValue:
    ticket = _ticket(token)
    endpoint = _json().get("endpoint")
    subscription = services.find(endpoint) if isinstance(endpoint, str) else None
    if subscription is not None and ticket in subscription.tickets:
        subscription.tickets.remove(ticket)  # the phone's dossiers stay followed
    return jsonify({"subscribed": False,
                    "message": _("Đã tắt thông báo trên điện thoại này.")})


def _ticket(token: str) -> Ticket:
    ticket = links.ticket_from_token(token)
    if ticket is None:
        abort(404)
    return ticket
