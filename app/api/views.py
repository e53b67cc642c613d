"""Assembles the JSON API from the features' api modules."""

from __future__ import annotations

# Importing a feature's api module registers its routes on bp.
# (Each feature owns app/<feature>/api.py; add the import here.)
import app.api.openapi  # noqa: F401
import app.dossiers.api  # noqa: F401
import app.feedback.api  # noqa: F401
import app.notifications.vapid  # noqa: F401
import app.payments.api  # noqa: F401
import app.places.api  # noqa: F401
import app.procedures.api  # noqa: F401
import app.queues.api  # noqa: F401
from app.api.blueprint import bp
from app.extensions import csrf

csrf.exempt(bp)  # the API uses no cookies, so there is nothing to forge

__all__ = ["bp"]
