"""Assembles the JSON API from the features' api modules."""

from __future__ import annotations

from app.api.blueprint import bp
from app.extensions import csrf

# Importing a feature's api module registers its routes on bp.
# (Each feature owns app/<feature>/api.py; add the import here.)

csrf.exempt(bp)  # the API uses no cookies, so there is nothing to forge

__all__ = ["bp"]
