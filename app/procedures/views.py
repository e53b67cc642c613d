"""STUB (owned by the procedures helper): search and procedure pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("procedures", __name__)


@bp.get("/procedures")
def search():  # noqa: ANN201
    return "search"


@bp.get("/procedures/<code>")
def detail(code: str):  # noqa: ANN201
    return code
