"""QR rendering: inline-able SVG, PNG that decodes to exactly the village URL."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from PIL import Image

from app.places.models import Village
from app.places.posters import qr_png, qr_svg, qr_svg_document, village_url

URL = "https://motcua.example.vn/v/tanhong-lapham?src=qr"


def test_svg_is_inline_and_scalable() -> None:
    svg = qr_svg(URL)
    assert svg.startswith("<svg ") and svg.rstrip().endswith("</svg>")
    assert "<?xml" not in svg and "viewBox=" in svg
    assert "style=" not in svg and "<style" not in svg  # the CSP forbids inline styles
    assert ' width="' not in svg and ' id="' not in svg
    assert svg.count("<path") == 1


def test_svg_is_cached_per_payload() -> None:
    assert qr_svg(URL) is qr_svg(URL)
    assert qr_svg(URL + "x") != qr_svg(URL)


def test_svg_document_is_a_standalone_file() -> None:
    doc = qr_svg_document(URL)
    assert doc.startswith("<?xml") and 'width="80mm"' in doc and "xmlns=" in doc


def test_png_decodes_to_the_exact_url() -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_png(URL))))
    assert [r.text for r in results] == [URL]


def test_village_url_uses_public_base_url(app: Flask) -> None:
    with app.app_context():
        village = Village(code="tanhong-vansa1", name="Thôn Vân Sa 1")
        assert village_url(village) == "http://127.0.0.1:5000/v/tanhong-vansa1?src=qr"
