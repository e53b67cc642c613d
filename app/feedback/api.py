"""GET /api/v1/stats/<slug>: a commune's or a province's public figures for a year, read
like the statistics pages from the replica when there is one (app/core/replica.py)."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _

from app.api.blueprint import bp
from app.core import parsing
from app.core.errors import render_error
from app.core.replica import public_session
from app.core.vntime import vietnam_today
from app.feedback import queries, stats


@bp.get("/stats/<slug>")
def stats_json(slug: str):  # noqa: ANN201
    agency = queries.agency_by_slug(slug, public_session())
    if agency is None:
        return render_error(404, _("Không tìm thấy xã"), _("Không có xã, tỉnh với mã này."),
                            code="unknown_agency")
    today = vietnam_today()
    year = parsing.parse_int(request.args.get("year", today.year), minimum=0, maximum=9999,
                             field=_("Năm"))
    if not 2000 <= year <= today.year:
        return render_error(400, _("Năm không hợp lệ"), code="year")
    return jsonify(stats.as_json(stats.compute(agency, year, today)))
