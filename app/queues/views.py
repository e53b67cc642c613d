"""Public queue pages: take a number at /q/<commune>, the ticket at /q/t/<signed link>."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for

from app.core.models import utcnow
from app.core.vntime import vietnam_today
from app.core.workdays import load_calendar
from app.extensions import db, limiter
from app.places.queries import agency_by_slug
from app.queues import links, queries, rules, services
from app.queues.models import Channel, Lane, ServiceQueue, Ticket

bp = Blueprint("queues", __name__)


def ticket_view(ticket: Ticket) -> dict[str, Any]:
    """What the ticket page (and the counter's printout) says about a ticket now."""
    today = vietnam_today()
    return {**queries.ticket_status(ticket), "later_day": ticket.day > today,
            # Before `flask queues expire` has run, a past day's number still reads waiting.
            "past_day": ticket.day < today,
            "token": links.ticket_token(ticket), "reasons": rules.PRIORITY_REASONS}


def _commune(slug: str) -> Any:
    agency = agency_by_slug(slug)
    if agency is None or not agency.is_commune:
        abort(404)
    return agency


@bp.get("/q/<slug>")
def take_page(slug: str) -> Any:
    agency = _commune(slug)
    queues = queries.queues_of(agency.id)
    day = rules.service_day(utcnow(), agency.opening_hours or {}, load_calendar())
    return render_template("queues/take.html", agency=agency, queues=queues, day=day,
                           today=vietnam_today(), reasons=rules.PRIORITY_REASONS,
                           waiting=queries.waiting_counts(agency.id, day))


@bp.post("/q/<slug>")
@limiter.limit("10 per minute")
def take(slug: str) -> Any:
    agency = _commune(slug)
    queue = db.session.get(ServiceQueue, _int(request.form.get("queue")))
    if queue is None or queue.agency_id != agency.id or not queue.active:
        abort(404)
    reason = request.form.get("priority_reason") or None
    ticket = services.take_ticket(queue, load_calendar(),
                                  lane=Lane.PRIORITY if reason else Lane.NORMAL,
                                  priority_reason=reason, channel=Channel.PHONE)
    return redirect(url_for(".ticket_page", token=links.ticket_token(ticket)), 303)


def _int(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and len(raw) < 10 else 0


def _ticket(token: str) -> Ticket:
    ticket = links.ticket_from_token(token)
    if ticket is None:
        abort(404)
    return ticket


@bp.get("/q/t/<token>")
def ticket_page(token: str) -> Any:
    return render_template("queues/ticket.html", **ticket_view(_ticket(token)))


@bp.post("/q/t/<token>/cancel")
def cancel(token: str) -> Any:
    services.cancel(_ticket(token))
    return redirect(url_for(".ticket_page", token=token), 303)


@bp.get("/display/<slug>/calls.json")
def display_calls(slug: str) -> Any:
    """What the hall screen polls every 1.5 s: the number at each counter. The ETag
    makes an unchanged answer a bodiless 304, which is nearly every poll."""
    agency = _commune(slug)
    body = json.dumps({"calls": queries.hall_board(agency.id, vietnam_today())},
                      separators=(",", ":"), ensure_ascii=False)
    response = Response(body, mimetype="application/json")
    response.set_etag(hashlib.sha256(body.encode()).hexdigest()[:16])
    response.headers["Cache-Control"] = "no-cache"
    return response.make_conditional(request)
