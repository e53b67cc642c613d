"""The admin poster pages (/admin/…): a village's QR poster and its downloads, and a
commune's sheet of posters. Staff pages: nested in the staff area (app/core/staff_area.py),
whose guard turns away anyone but an officer; each page then checks the commune."""

from __future__ import annotations

import io

from flask import Blueprint, Response, abort, render_template, send_file
from flask_login import current_user

from app.accounts.policies import can_manage_posters
from app.core.qr import qr_png, qr_svg, qr_svg_document
from app.places import queries
from app.places.models import Village
from app.places.posters import village_url

bp = Blueprint("posters", __name__, url_prefix="/admin")


def _managed_village(code: str) -> Village:
    found = queries.village_by_code(code)
    if found is None:
        abort(404)
    if not can_manage_posters(current_user, found.agency_id):
        abort(403)
    return found


@bp.get("/villages/<code>/poster")
def poster(code: str):  # noqa: ANN201
    found = _managed_village(code)
    url = village_url(found)
    return render_template("places/poster.html", village=found, agency=found.agency,
                           url=url, svg=qr_svg(url))


@bp.get("/villages/<code>/qr.png")
def poster_png(code: str) -> Response:
    found = _managed_village(code)
    return _download(qr_png(village_url(found)), "image/png", f"{found.code}.png")


@bp.get("/villages/<code>/qr.svg")
def poster_svg(code: str) -> Response:
    found = _managed_village(code)
    return _download(qr_svg_document(village_url(found)).encode(), "image/svg+xml",
                     f"{found.code}.svg")


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    # send_file quotes the file name safely, whatever characters a village code holds.
    return send_file(io.BytesIO(body), mimetype=mimetype, as_attachment=True,
                     download_name=filename)


@bp.get("/agencies/<slug>/posters")
def agency_posters(slug: str):  # noqa: ANN201
    agency = queries.agency_by_slug(slug)
    if agency is None:
        abort(404)
    if not can_manage_posters(current_user, agency.id):
        abort(403)
    villages = queries.villages_of(agency.id)
    scans = queries.scan_counts(agency.id, days=30)
    urls = [(v, village_url(v)) for v in villages]
    return render_template("places/agency_posters.html", agency=agency, scans=scans,
                           posters=[(v, url, qr_svg(url)) for v, url in urls])
