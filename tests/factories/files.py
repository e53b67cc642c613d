"""Real upload bytes: small images and a one-page PDF."""

from __future__ import annotations

import io

from PIL import Image
from pypdf import PdfWriter
from pypdf.actions import JavaScript


def jpeg(width: int = 64, height: int = 48, color: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "JPEG")
    return out.getvalue()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pypdf_document(pages: int = 1, **actions: object) -> bytes:
    """A real PDF written by pypdf, with an OpenAction script, an attachment or a password
    when asked."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    if "js" in actions:
        writer.add_open_action(JavaScript(str(actions["js"])))
    if "attachment" in actions:
        writer.add_attachment("hoa-don.exe", b"MZ" + b"\0" * 100)
    if "password" in actions:
        writer.encrypt(str(actions["password"]), algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def phone_photo(width: int = 4000, height: int = 3000) -> bytes:
    """A JPEG as a phone camera writes it: 12 MP, GPS position, and the sensor held sideways
    (EXIF orientation 6: the picture must be turned a quarter to stand upright)."""
    img = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0112] = 6
    exif[0x8825] = {1: "N", 2: (21.0, 8.0, 30.0), 3: "E", 4: (105.0, 25.0, 12.0)}
    out = io.BytesIO()
    img.save(out, "JPEG", quality=92, exif=exif)
    return out.getvalue()


def raw_pdf(objects: list[bytes]) -> bytes:
    """The PDF file holding these objects, numbered from 1 (the first is the catalog), with a
    correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def qr_texts_on_first_page(data: bytes) -> list[str]:
    """What the QR codes drawn on a PDF's first page say, its form fields (a signature's
    visible block) included: the page rendered by PDFium, decoded by zxing-cpp."""
    import pypdfium2
    import zxingcpp

    document = pypdfium2.PdfDocument(data)
    try:
        document.init_forms()
        image = document[0].render(scale=4, may_draw_forms=True).to_pil()
    finally:
        document.close()
    return [found.text for found in zxingcpp.read_barcodes(image)]
