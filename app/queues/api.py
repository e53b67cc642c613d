"""JSON API for queue numbers: a commune's lines, one ticket by its signed link, and the hall
display's calls. The same builders as the pages (queries, ticket_view), so they agree."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask_babel import gettext as _

from app.api.blueprint import bp
from app.api.openapi import answer, error_answer
from app.core.errors import render_error
from app.core.models import utcnow
from app.core.vntime import vietnam_today
from app.core.workdays import load_calendar
from app.places.queries import agency_by_slug
from app.queues import links, queries, rules

_STR = {"type": "string"}
_INT = {"type": "integer"}


def _unknown_commune() -> Any:
    return render_error(404, _("Không tìm thấy xã"), _("Không có xã với mã này."),
                        code="unknown_agency")


@bp.get("/queues/<slug>")
def queues_json(slug: str) -> Any:
    agency = agency_by_slug(slug)
    if agency is None or not agency.is_commune:
        return _unknown_commune()
    day = rules.service_day(utcnow(), agency.opening_hours or {}, load_calendar())
    waiting = queries.waiting_counts(agency.id, day)
    return jsonify(day=day.isoformat(), queues=[
        {"id": q.id, "prefix": q.prefix, "name": q.name, "priority_lane": q.priority_lane,
         "waiting": waiting.get(q.id, 0)} for q in queries.queues_of(agency.id)])


def ticket_json(view: dict[str, Any]) -> dict[str, Any]:
    """A ticket for the API, from queries.ticket_status."""
    ticket = view["ticket"]
    return {"label": ticket.label, "queue": ticket.queue.name,
            "commune": ticket.queue.agency.name, "day": ticket.day.isoformat(),
            "state": ticket.state, "lane": ticket.lane, "ahead": view["ahead"],
            "wait_minutes": view["wait_minutes"],
            "counter": ticket.counter.name if ticket.counter else None}


@bp.get("/tickets/<token>")
def ticket_api(token: str) -> Any:
    ticket = links.ticket_from_token(token)
    if ticket is None:
        return render_error(404, _("Không tìm thấy số"), _("Liên kết số thứ tự không đúng."),
                            code="unknown_ticket")
    return jsonify(ticket_json(queries.ticket_status(ticket)))


@bp.get("/displays/<slug>")
def display_api(slug: str) -> Any:
    agency = agency_by_slug(slug)
    if agency is None or not agency.is_commune:
        return _unknown_commune()
    return jsonify(calls=queries.hall_board(agency.id, vietnam_today()))


def openapi_paths() -> dict[str, Any]:
    slug = {"name": "slug", "in": "path", "required": True, "schema": _STR,
            "description": "The commune's slug"}
    nullable_int = {"type": ["integer", "null"]}
    return {
        "/queues/{slug}": {"get": {
            "summary": "A commune's queue lines and how many wait in each",
            "parameters": [slug],
            "responses": {
                "200": answer("The lines, for the day a number taken now is for", {
                    "type": "object", "required": ["day", "queues"],
                    "properties": {
                        "day": {"type": "string", "format": "date"},
                        "queues": {"type": "array", "items": {
                            "type": "object",
                            "required": ["id", "prefix", "name", "priority_lane", "waiting"],
                            "properties": {"id": _INT, "prefix": _STR, "name": _STR,
                                           "priority_lane": {"type": "boolean"},
                                           "waiting": _INT}}}}}),
                "404": error_answer("No commune with this slug")}}},
        "/tickets/{token}": {"get": {
            "summary": "One queue ticket, by the signed part of its link",
            "parameters": [{"name": "token", "in": "path", "required": True,
                            "schema": _STR, "description": "From the ticket's /q/t/ link"}],
            "responses": {
                "200": answer("The ticket now", {
                    "type": "object",
                    "required": ["label", "queue", "commune", "day", "state", "lane",
                                 "ahead", "wait_minutes", "counter"],
                    "properties": {
                        "label": _STR, "queue": _STR, "commune": _STR,
                        "day": {"type": "string", "format": "date"},
                        "state": {"enum": ["waiting", "called", "served", "no_show",
                                           "cancelled", "expired"]},
                        "lane": {"enum": ["normal", "priority"]},
                        "ahead": {**nullable_int, "description": "People called before it; "
                                  "null once it is no longer waiting"},
                        "wait_minutes": {**nullable_int, "description": "From today's "
                                         "service times; null without any yet"},
                        "counter": {"type": ["string", "null"]}}}),
                "404": error_answer("No ticket with this link")}}},
        "/displays/{slug}": {"get": {
            "summary": "The number each counter of the commune called last today",
            "parameters": [slug],
            "responses": {
                "200": answer("The calls, counter order", {
                    "type": "object", "required": ["calls"],
                    "properties": {"calls": {"type": "array", "items": {
                        "type": "object",
                        "required": ["counter", "label", "queue", "calls", "at"],
                        "properties": {"counter": _STR, "label": _STR, "queue": _STR,
                                       "calls": _INT,
                                       "at": {"type": ["string", "null"],
                                              "format": "date-time"}}}}}}),
                "404": error_answer("No commune with this slug")}}},
    }
