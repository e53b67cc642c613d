"""Feedback pages, one module per audience: ratings (a dossier's applicant), kiosk (the
counter tablet), complaints (a citizen's phản ánh, kiến nghị), statistics (the public),
display (the hall screen) and office (officers). All but the office share the public
`feedback` blueprint; the office is nested in the staff area (app/core/staff_area.py)."""

from __future__ import annotations

# Importing the audience modules attaches their routes to the blueprints.
from app.feedback.views import complaints, display, kiosk, ratings, statistics  # noqa: F401
from app.feedback.views.blueprint import bp
from app.feedback.views.office import office

__all__ = ["bp", "office"]
