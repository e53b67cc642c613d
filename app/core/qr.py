"""QR codes for posters, slips, fee payment and TOTP setup: inline SVG, SVG file, PNG."""

from __future__ import annotations

import io
import re
from functools import lru_cache

import qrcode
import qrcode.image.svg

# The path factory gives one <path>; its fixed size and id are dropped so the code scales
# with CSS and many codes can share one page without duplicate ids.
_SIZE_ATTRS = re.compile(r' (?:width|height)="[^"]*"')
_PATH_ID = re.compile(r' id="qr-path"')


def _qr(data: str) -> qrcode.QRCode:
    # Level M survives a little dirt or glare on a printed poster and stays a small version.
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    qr.add_data(data)
    qr.make(fit=True)
    return qr


@lru_cache(maxsize=256)
def qr_svg(data: str) -> str:
    """The QR code as an inline <svg>: no XML declaration, viewBox only, no style attribute."""
    image = _qr(data).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    svg = image.to_string(encoding="unicode")
    svg = _PATH_ID.sub("", _SIZE_ATTRS.sub("", svg, count=2))
    return svg.replace("<svg ", '<svg class="qr" aria-hidden="true" focusable="false" ', 1)


def qr_svg_document(data: str, size_mm: int = 80) -> str:
    """A standalone SVG file (for download and print shops), sized in millimetres."""
    svg = qr_svg(data).replace("<svg ", f'<svg width="{size_mm}mm" height="{size_mm}mm" ', 1)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + svg + "\n"


@lru_cache(maxsize=64)
def qr_png(data: str, box_size: int = 12) -> bytes:
    """The QR code as a PNG; box_size is pixels per module (12 prints sharply on A4)."""
    qr = _qr(data)
    qr.box_size = box_size
    buffer = io.BytesIO()
    qr.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()
