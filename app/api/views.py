"""STUB: JSON API."""

from __future__ import annotations

from flask import Blueprint

from app.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # no cookies are used by the API, so there is nothing to forge
