"""The public statistics of a province or a commune, as pages and as CSV.

Every read here goes to app/core/replica.py's public_session (the replica when there is
one): these pages are what a crowd opens, and seconds-old figures are fine for them."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, request
from flask_babel import gettext as _

from app.core import exports
from app.core.replica import public_session
from app.core.vntime import vietnam_today
from app.feedback import charts, forms, queries, stats
from app.feedback.views.blueprint import bp


def _year() -> int:
    today = vietnam_today()
    year = forms.parse_year(request.args.get("year"), today)
    if not 2000 <= year <= today.year:
        abort(404)
    return year


def _stats_for(slug: str) -> stats.Stats:
    agency = queries.agency_by_slug(slug, public_session())
    if agency is None:
        abort(404)
    return stats.compute(agency, _year())


def _charts(data: stats.Stats) -> dict[str, Any]:
    months = data.months()
    labels = [f"{m.month}" for m, _f in months]
    return {
        "finished": charts.stacked_bars(
            _("Hồ sơ đã giải quyết theo tháng: trước hạn, đúng hạn, trễ hạn"), labels,
            [("b-early", [f.finished_early for _m, f in months]),
             ("b-ontime", [f.finished_on_time for _m, f in months]),
             ("b-late", [f.finished_late for _m, f in months])]),
        "satisfaction": charts.line(_("Tỷ lệ hài lòng theo tháng"), labels,
                                    [f.satisfaction for _m, f in months]),
    }


@bp.get("/stats")
def stats_province() -> Any:
    reads = public_session()
    found = queries.provinces(reads)
    if len(found) == 1:
        return stats_page(found[0].slug)
    return render_template("feedback/stats_index.html", provinces=found,
                           communes=queries.communes(reads))


@bp.get("/stats/<slug>")
def stats_page(slug: str) -> Any:
    data = _stats_for(slug)
    return render_template("feedback/stats.html", s=data, charts=_charts(data),
                           components=stats.index_components(data),
                           field_label=lambda f: f or str(stats.COUNTER_FIELD_LABEL))


@bp.get("/stats/<slug>.csv")
def stats_csv(slug: str) -> Any:
    data = _stats_for(slug)
    return exports.csv_response(stats.csv_rows(data), f"thong-ke-{data.agency.slug}-"
                                                      f"{data.year}.csv")
