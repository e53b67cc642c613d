"""Home, village pages (what a QR poster opens) and the admin-only poster pages."""

from __future__ import annotations

import io

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    send_file,
)
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.policies import can_manage_posters, is_officer
from app.core.errors import render_error
from app.core.pagecache import shared_page
from app.core.qr import qr_png, qr_svg, qr_svg_document
from app.places import queries, services
from app.places.models import Village
from app.places.posters import village_url

bp = Blueprint("places", __name__)


@bp.before_request
def _deny_admin_by_default() -> Response | None:
    # Every /admin/ route of this blueprint needs a signed-in officer, even one added later
    # without its own check; each route then checks the object's policy too.
    if request.path.startswith("/admin/") and not is_officer(current_user):
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    return None


@bp.get("/")
def home():  # noqa: ANN201
    communes = queries.communes()
    chosen = None
    slug = request.args.get("agency", "").strip().lower()
    if slug:
        chosen = next((a for a in communes if a.slug == slug), None)
    villages = queries.villages_of(chosen.id) if chosen else []
    return render_template("places/home.html", communes=communes, chosen=chosen,
                           villages=villages, popular=queries.popular_procedures())


@bp.get("/v/<code>")
def village(code: str):  # noqa: ANN201
    def build() -> tuple[int, str] | None:
        found = queries.village_by_code(code)
        if found is None:
            return None
        return found.id, render_template(
            "places/village.html", village=found, agency=found.agency,
            procedures=queries.procedures_by_use(found.agency_id))

    # The crowd in front of a poster all open the same page: serve it from the short-lived
    # page cache (the scan is still counted for every visit).
    page = shared_page(code.strip().lower(), build)
    if page is None:
        return render_error(404, _("Không tìm thấy thôn"),
                            _("Mã thôn trên áp phích không đúng hoặc đã thay đổi. Hãy chọn "
                              "xã và thôn của bạn ở trang chủ."))
    village_id, body = page
    if request.args.get("src") == "qr":
        services.count_scan(village_id)
    return body


def _managed_village(code: str) -> Village:
    found = queries.village_by_code(code)
    if found is None:
        abort(404)
    if not can_manage_posters(current_user, found.agency_id):
        abort(403)
    return found


@bp.get("/admin/villages/<code>/poster")
def poster(code: str):  # noqa: ANN201
    found = _managed_village(code)
    url = village_url(found)
    return render_template("places/poster.html", village=found, agency=found.agency,
                           url=url, svg=qr_svg(url))


@bp.get("/admin/villages/<code>/qr.png")
def poster_png(code: str) -> Response:
    found = _managed_village(code)
    return _download(qr_png(village_url(found)), "image/png", f"{found.code}.png")


@bp.get("/admin/villages/<code>/qr.svg")
def poster_svg(code: str) -> Response:
    found = _managed_village(code)
    return _download(qr_svg_document(village_url(found)).encode(), "image/svg+xml",
                     f"{found.code}.svg")


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    # send_file quotes the file name safely, whatever characters a village code holds.
    return send_file(io.BytesIO(body), mimetype=mimetype, as_attachment=True,
                     download_name=filename)


@bp.get("/admin/agencies/<slug>/posters")
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
