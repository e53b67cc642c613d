"""Home and village pages (what a QR poster opens). The posters are staff pages:
app/places/poster_views.py."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.core.errors import render_error
from app.core.pagecache import shared_page
from app.places import contact, queries, services
from app.queues.queries import queues_of

bp = Blueprint("places", __name__)
bp.add_app_template_global(contact.tel_href, "tel_href")
bp.add_app_template_global(contact.map_href, "map_href")
bp.add_app_template_global(contact.hours_lines, "hours_lines")


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
            procedures=queries.procedures_by_use(found.agency_id),
            takes_numbers=bool(queues_of(found.agency_id)))

    # The crowd in front of a poster all open the same page: serve it from the short-lived
    # page cache (the scan is still counted for every visit).
    page = shared_page(code.strip().lower(), build)
    if page is None:
        return render_error(404, _("Không tìm thấy thôn"),
                            _("Mã thôn trên áp phích không đúng hoặc đã thay đổi. Hãy chọn "
                              "xã và thôn của bạn ở trang chủ."))
    village_id, body = page
    if request.args.get("src") == "qr":
        # Counted here, then sent to the cacheable URL: a proxy may serve the page itself
        # from its cache, but never this answer, so every scan reaches the app once.
        services.count_scan(village_id)
        moved = redirect(url_for("places.village", code=code.strip().lower()), 303)
        moved.headers["Cache-Control"] = "no-store"
        return moved
    return body
