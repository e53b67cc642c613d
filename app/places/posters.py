"""QR posters: the URL a village poster encodes (app.core.qr draws it)."""

from __future__ import annotations

from flask import current_app

from app.places.models import Village


def village_url(village: Village) -> str:
    """What the poster encodes: PUBLIC_BASE_URL/v/<code>?src=qr (the scan is counted)."""
    base = current_app.config["MOTCUA"].public_base_url
    return f"{base}/v/{village.code}?src=qr"
