"""GET /api/v1/villages: the villages and the commune each belongs to."""

from __future__ import annotations

from flask import current_app, jsonify, request
from flask_babel import gettext as _

from app.api.blueprint import bp
from app.core.errors import render_error
from app.places import queries


@bp.get("/villages")
def villages():  # noqa: ANN201
    slug = request.args.get("agency", "").strip().lower() or None
    if slug and queries.agency_by_slug(slug) is None:
        return render_error(404, _("Không tìm thấy xã"), _("Không có xã với mã này."),
                            code="unknown_agency")
    base = current_app.config["MOTCUA"].public_base_url
    items = [
        {
            "code": v.code,
            "name": v.name,
            "agency": {"slug": v.agency.slug, "name": v.agency.name, "code": v.agency.code},
            "url": f"{base}/v/{v.code}",
        }
        for v in queries.all_villages(slug)
    ]
    return jsonify(items=items)
