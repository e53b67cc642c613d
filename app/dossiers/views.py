"""STUB (owned by the dossiers helper): apply form, confirmation, tracking, dossier page."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("dossiers", __name__)
