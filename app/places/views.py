"""STUB (owned by the places helper): home, village page, posters."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("places", __name__)


@bp.get("/")
def home():  # noqa: ANN201
    return "home"


@bp.get("/v/<code>")
def village(code: str):  # noqa: ANN201
    return code


@bp.get("/admin/agencies/<slug>/posters")
def agency_posters(slug: str):  # noqa: ANN201
    return slug
