"""The public `feedback` blueprint and the template helpers other features' pages use."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask_babel import gettext as _

from app.feedback import queries, services

bp = Blueprint("feedback", __name__)


@bp.app_context_processor
def _template_helpers() -> dict[str, Any]:
    # Used by the small includes other features' templates carry (dossier, village pages).
    return {"feedback_rating_of": lambda dossier: queries.rating_of(dossier.id),
            "feedback_public_answers": queries.public_answers,
            "feedback_score_label": lambda s: str(services.SCORE_LABELS.get(s, s))}


def percent(value: float | None) -> str:
    if value is None:
        return _("chưa có dữ liệu")
    return f"{value * 100:.1f}".replace(".", ",") + " %"


@bp.app_template_filter("percent")
def _percent_filter(value: float | None) -> str:
    return percent(value)
