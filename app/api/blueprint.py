"""The /api/v1 blueprint. Feature modules add their routes to `bp` (see api/views.py)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
