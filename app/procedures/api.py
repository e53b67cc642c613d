"""GET /api/v1/procedures (search) and GET /api/v1/procedures/<code> (one procedure)."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request, url_for
from flask_babel import gettext as _

from app.api.blueprint import bp
from app.core import parsing
from app.core.errors import render_error
from app.extensions import limiter
from app.places.queries import agency_by_slug
from app.procedures.catalogue import procedure_to_dict
from app.procedures.models import Procedure
from app.procedures.queries import fees_for, procedure_by_code
from app.procedures.search import MAX_QUERY_CHARS, search_procedures

MAX_LIMIT = 200


def _url(procedure: Procedure) -> str:
    base = current_app.config["MOTCUA"].public_base_url
    return base + url_for("procedures.detail", code=procedure.code)


def _summary(procedure: Procedure) -> dict[str, Any]:
    return {"code": procedure.code, "name": procedure.name, "field": procedure.field,
            "online_level": procedure.online_level,
            "accepts_online": procedure.accepts_online,
            "time_limit_days": procedure.time_limit_days,
            "time_limit_unit": procedure.time_limit_unit,
            "fees": procedure.fees, "url": _url(procedure)}


@bp.get("/procedures")
@limiter.limit("60 per minute")
def procedures():  # noqa: ANN201
    q = request.args.get("q", "")[:MAX_QUERY_CHARS]
    field = request.args.get("field", "").strip() or None
    limit = parsing.parse_int(request.args.get("limit", 50), minimum=1, maximum=MAX_LIMIT,
                              field="limit")
    found = search_procedures(q, field=field, limit=limit)
    items = [_summary(p) for p in found]
    return jsonify(items=items, count=len(items))


@bp.get("/procedures/<code>")
@limiter.limit("60 per minute")
def procedure(code: str):  # noqa: ANN201
    found = procedure_by_code(code)
    if found is None:
        return render_error(404, _("Không tìm thấy thủ tục"),
                            _("Không có thủ tục mang mã này."), code="unknown_procedure")
    body = procedure_to_dict(found)
    slug = request.args.get("agency", "").strip()
    if slug:
        # ?agency=<commune slug>: the fees as that commune charges them.
        agency = agency_by_slug(slug[:40])
        if agency is None:
            return render_error(404, _("Không tìm thấy xã"),
                                _("Không có xã mang mã này."), code="unknown_agency")
        body["fees"] = fees_for(found, agency)
    body["time_limit_unit"] = found.time_limit_unit
    body["accepts_online"] = found.accepts_online
    body["documents"] = [{"id": d.id, **doc}
                         for d, doc in zip(found.documents, body["documents"], strict=True)]
    body["url"] = _url(found)
    return jsonify(body)
