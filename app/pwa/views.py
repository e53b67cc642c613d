"""STUB (owned by the PWA helper)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("pwa", __name__)
