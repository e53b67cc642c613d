"""The URL a village poster encodes."""

from __future__ import annotations

from flask import Flask

from app.places.models import Village
from app.places.posters import village_url


def test_village_url_uses_public_base_url(app: Flask) -> None:
    with app.app_context():
        village = Village(code="tanhong-vansa1", name="Thôn Vân Sa 1")
        assert village_url(village) == "http://127.0.0.1:5000/v/tanhong-vansa1?src=qr"
