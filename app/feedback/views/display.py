"""The hall display: a public screen showing the commune's figures of the day."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from flask import Response, abort, render_template, request

from app.core.vntime import to_vietnam_time, vietnam_today
from app.feedback import queries, stats
from app.feedback.views.blueprint import bp
from app.queues.queries import hall_board, queues_of


@bp.get("/display/<slug>")
def display_page(slug: str) -> Any:
    agency = queries.agency_by_slug(slug)
    if agency is None:
        abort(404)
    updated = to_vietnam_time(datetime.now(UTC)).strftime("%H:%M")
    return render_template("feedback/display.html", agency=agency, d=stats.display(agency),
                           updated=updated, calls=hall_board(agency.id, vietnam_today()),
                           takes_numbers=bool(queues_of(agency.id)))


@bp.get("/display/<slug>/live.json")
def display_json(slug: str) -> Any:
    """The compact figures the TV polls. With the ETag, an unchanged answer is a 304 of a
    few header bytes: most polls in a quiet hour."""
    agency = queries.agency_by_slug(slug)
    if agency is None:
        abort(404)
    body = json.dumps(stats.display(agency), separators=(",", ":"))
    response = Response(body, mimetype="application/json")
    response.set_etag(hashlib.sha256(body.encode()).hexdigest()[:16])
    response.headers["Cache-Control"] = "no-cache"
    return response.make_conditional(request)
