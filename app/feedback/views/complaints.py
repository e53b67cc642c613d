"""A citizen's feedback (phản ánh, kiến nghị) to a commune, with or without signing in."""

from __future__ import annotations

from typing import Any

from flask import render_template, request

from app.extensions import limiter
from app.feedback import forms, queries, services
from app.feedback.views.blueprint import bp


@bp.route("/feedback/new", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def feedback_new() -> Any:
    agencies = queries.communes()
    values: dict[str, Any] = request.form.to_dict() if request.method == "POST" else {
        "agency": request.args.get("agency", "")}
    chosen = next((a for a in agencies if a.slug == values.get("agency")), None)
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = forms.clean_feedback(values, chosen,
                                    forms.chosen_files(request.files.getlist("photo")))
        errors = form.errors
        if not errors and chosen is not None:
            try:
                services.submit_feedback(
                    chosen, form.about, form.message, procedure=form.procedure,
                    officer=form.officer, sender_name=form.name, sender_phone=form.phone,
                    photo=form.uploads[0] if form.uploads else None)
            finally:
                form.discard_uploads()
            return render_template("feedback/feedback_sent.html", agency=chosen)
    return render_template("feedback/feedback_new.html", agencies=agencies, chosen=chosen,
                           values=values, errors=errors, about=forms.about_labels(),
                           officers=queries.officers_of(chosen.id) if chosen else [],
                           procedures=queries.procedures_of(chosen) if chosen else []
                           ), 422 if errors else 200
