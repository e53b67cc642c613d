"""QR rendering: inline-able SVG, a standalone SVG file, PNG that decodes to the exact text."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from app.core.qr import qr_png, qr_svg, qr_svg_document

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
