"""Rating a dossier: its applicant, through the dossier's tracking access."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.core.errors import DomainError
from app.dossiers import access
from app.dossiers import queries as dossier_queries
from app.extensions import limiter
from app.feedback import forms, policies, queries, services
from app.feedback.views.blueprint import bp
from app.pwa.cache_policy import keep_private


@bp.route("/d/<code>/rating", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def rate(code: str) -> Any:
    dossier = dossier_queries.dossier_by_code(code)
    secret = request.args.get("t")
    if dossier is None or not access.has_access(dossier, secret):
        abort(404)  # the same answer as an unknown code
    if not policies.can_rate(dossier, secret):
        abort(403)
    rating = queries.rating_of(dossier.id)
    editable = policies.rating_editable(rating)
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not editable:
            raise DomainError(_("Đã quá 7 ngày nên không thể sửa đánh giá này."),
                              code="rating_closed")
        values = request.form.to_dict()
        errors = forms.rating_errors(values)
        if not errors:
            services.rate_dossier(dossier, values["score"], services.clean_criteria(values),
                                  values.get("comment", ""))
            flash(_("Cảm ơn bạn đã đánh giá. Ý kiến của bạn giúp xã phục vụ tốt hơn."), "ok")
            return redirect(url_for("dossiers.dossier_page", code=dossier.code))
    elif rating is not None:
        values = {"score": rating.score, "comment": rating.comment, **rating.criteria}
    response = render_template("feedback/rating.html", dossier=dossier, rating=rating,
                               editable=editable, values=values, errors=errors,
                               criteria=services.CRITERIA, scores=services.SCORE_LABELS)
    return response, 422 if errors else 200


@bp.after_app_request
def _dossier_pages_private(response: Response) -> Response:
    if request.blueprint == "feedback" and request.path.startswith("/d/"):
        keep_private(response)
    return response
