"""Citizen pages: search the procedure catalogue, read one procedure."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from app.core.pagecache import shared_page
from app.core.replica import public_session
from app.places.models import Village
from app.places.queries import village_by_code
from app.procedures.fees import describe_fee, describe_time_limit, fee_summary
from app.procedures.queries import fees_for, procedure_by_code, procedure_fields
from app.procedures.search import MAX_QUERY_CHARS, search_procedures

bp = Blueprint("procedures", __name__)
# A phone on 3G shows a short list; more words narrow it (the API returns up to 200).
PAGE_RESULTS = 20


@bp.app_template_global()
def procedure_time_limit(days: int, unit: str = "working_days") -> str:
    return describe_time_limit(days, unit)


@bp.app_template_global()
def procedure_fee(item: dict) -> str:
    return describe_fee(item)


@bp.app_template_global()
def procedure_fee_summary(fees: list[dict]) -> str:
    return fee_summary(fees)


@bp.app_template_global()
def agency_fees(procedure: object, agency: object) -> list[dict]:
    """The fee items as this commune charges them (its province's amounts filled in)."""
    return fees_for(procedure, agency)  # type: ignore[arg-type]


def _village() -> Village | None:
    """The village the citizen came from (QR poster), carried through links as ?village=."""
    code = request.args.get("village", "").strip()
    return village_by_code(code) if code else None


@bp.get("/procedures")
def search():  # noqa: ANN201
    q = request.args.get("q", "")[:MAX_QUERY_CHARS].strip()
    field = request.args.get("field", "").strip()
    village_code = request.args.get("village", "").strip().lower()

    def render() -> str:
        fields = procedure_fields(public_session())  # with the results: the replica's
        chosen = field if field in fields else ""
        village = _village()
        # One more than shown tells whether to suggest narrowing the search.
        results = search_procedures(q, field=chosen or None, limit=PAGE_RESULTS + 1,
                                    agency_id=village.agency_id if village else None)
        return render_template("procedures/search.html", q=q, field=chosen, fields=fields,
                               village=village, results=results[:PAGE_RESULTS],
                               more=len(results) > PAGE_RESULTS)

    # Villagers type the same few searches: the same answer for everyone for a few seconds.
    return shared_page((q, field, village_code), render)


@bp.get("/procedures/<code>")
def detail(code: str):  # noqa: ANN201
    def render() -> str | None:
        procedure = procedure_by_code(code)
        if procedure is None:
            return None
        village = _village()
        return render_template("procedures/detail.html", procedure=procedure,
                               village=village,
                               fees=fees_for(procedure, village.agency if village else None))

    page = shared_page((code, request.args.get("village", "").strip().lower()), render)
    if page is None:
        # A page of its own rather than the generic 404: a search box gets them going again.
        return render_template("procedures/not_found.html", code=code[:30],
                               village=_village()), 404
    return page
