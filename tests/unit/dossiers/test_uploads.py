"""Upload inspection against a corpus generated here: good photos and PDFs, and bad files.

Every refusal must carry a Vietnamese message naming the file and leave no temporary file.
"""

from __future__ import annotations

import hashlib
import io
import random
import struct
import tracemalloc
import zlib
from pathlib import Path

import pytest
from PIL import ExifTags, Image, ImageCms, ImageDraw
from pypdf import PdfReader

from app.dossiers.uploads import (
    MAX_IMAGE_SIDE,
    CleanUpload,
    UploadRejected,
    heif_supported,
    inspect_upload,
    safe_display_name,
)
from tests.factories.files import pypdf_document, raw_pdf

MB = 1024 * 1024


@pytest.fixture
def tmp_dir(tmp_path: Path) -> Path:
    return tmp_path / "tmp"


def inspect(data: bytes, name: str, tmp_dir: Path, max_bytes: int = 10 * MB) -> CleanUpload:
    return inspect_upload(io.BytesIO(data), name, max_bytes=max_bytes, tmp_dir=tmp_dir)


def refused(data: bytes, name: str, tmp_dir: Path, max_bytes: int = 10 * MB) -> UploadRejected:
    with pytest.raises(UploadRejected) as err:
        inspect(data, name, tmp_dir, max_bytes)
    assert list(tmp_dir.iterdir()) == [], "a refused upload left a temporary file"
    assert str(err.value) == err.value.message
    return err.value


def jpeg_markers(data: bytes) -> list[int]:
    """The JPEG segment markers before the image data (APP1 = EXIF/XMP, APP2 = ICC)."""
    assert data[:2] == b"\xff\xd8"
    markers, pos = [], 2
    while pos < len(data):
        assert data[pos] == 0xFF
        marker = data[pos + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: the pixels follow
            break
        (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
        pos += 2 + length
    return markers


def photo(size: tuple[int, int] = (4000, 3000), *, gps: bool = False, orientation: int = 1,
          icc: bool = False, fmt: str = "JPEG") -> bytes:
    """A camera-like picture: left half red, right half blue, with optional metadata."""
    w, h = size
    img = Image.new("RGB", size, (200, 30, 30))
    draw = ImageDraw.Draw(img)
    draw.rectangle((w // 2, 0, w, h), fill=(30, 30, 200))
    draw.text((10, 10), "CCCD 001085012345", fill=(255, 255, 255))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Orientation] = orientation
    if gps:
        exif[ExifTags.IFD.GPSInfo] = {
            ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (21.0, 1.0, 30.0),
            ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (105.0, 51.0, 0.0),
        }
    options: dict[str, object] = {"exif": exif}
    if icc:
        options["icc_profile"] = ImageCms.ImageCmsProfile(
            ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    img.save(out, fmt, **options)
    return out.getvalue()


def build_pdf(content: bytes, *, flate: bool = True, catalog_extra: bytes = b"",
              extra_objects: tuple[bytes, ...] = ()) -> bytes:
    """A minimal, well-formed one-page PDF with a correct cross-reference table."""
    stream_dict = b"<< /Length %d%s >>" % (len(content), b" /Filter /FlateDecode" if flate
                                             else b"")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << >> >>",
        stream_dict + b"\nstream\n" + content + b"\nendstream",
        *extra_objects,
    ]
    return raw_pdf(objects)


@pytest.fixture(scope="module")
def pdf_bomb() -> bytes:
    """A small PDF whose one page content inflates to 500 MB of zeros."""
    packer = zlib.compressobj(9)
    zeros = b"\0" * MB
    packed = b"".join([packer.compress(zeros) for _ in range(500)] + [packer.flush()])
    assert len(packed) < MB
    return build_pdf(packed)


# --- good files ---------------------------------------------------------------------------

def test_camera_photo_is_downscaled_and_stripped_of_all_metadata(tmp_dir: Path) -> None:
    original = photo(gps=True, icc=True)
    source = Image.open(io.BytesIO(original))
    assert source.getexif().get_ifd(ExifTags.IFD.GPSInfo), "the fixture must carry GPS"
    clean = inspect(original, "IMG_20260309_0912.jpg", tmp_dir)
    data = clean.path.read_bytes()
    stored = Image.open(clean.path)
    assert stored.format == "JPEG"
    assert stored.size == (MAX_IMAGE_SIDE, 1200)
    assert len(stored.getexif()) == 0
    assert "icc_profile" not in stored.info and "exif" not in stored.info
    # Nothing but JFIF, tables and pixels: no APP1 (EXIF/XMP/GPS) nor APP2 (ICC) segment.
    assert not {0xE1, 0xE2} & set(jpeg_markers(data))
    assert b"PhoneMaker" not in data and b"Exif\0\0" not in data
    assert (clean.content_type, clean.ext) == ("image/jpeg", "jpg")
    assert clean.size == len(data)
    assert clean.sha256 == hashlib.sha256(data).hexdigest()
    assert clean.original_name == "IMG_20260309_0912.jpg"
    # The colours survive: left red, right blue.
    left, right = stored.getpixel((100, 600)), stored.getpixel((1500, 600))
    assert left[0] > 150 > left[2] and right[2] > 150 > right[0]
    clean.discard()
    assert list(tmp_dir.iterdir()) == []


def test_exif_orientation_is_applied(tmp_dir: Path) -> None:
    # Orientation 6: the sensor's picture must turn 90° clockwise, so its left (red) half
    # ends up on top.
    clean = inspect(photo((400, 200), orientation=6), "xoay.jpg", tmp_dir)
    stored = Image.open(clean.path)
    assert stored.size == (200, 400)
    top, bottom = stored.getpixel((100, 50)), stored.getpixel((100, 350))
    assert top[0] > 150 > top[2] and bottom[2] > 150 > bottom[0]
    assert len(stored.getexif()) == 0


def test_small_photos_are_not_enlarged(tmp_dir: Path) -> None:
    clean = inspect(photo((800, 600)), "nho.jpg", tmp_dir)
    assert Image.open(clean.path).size == (800, 600)


def test_png_with_transparency_becomes_a_white_backed_jpeg(tmp_dir: Path) -> None:
    img = Image.new("RGBA", (2400, 1000), (0, 0, 0, 0))
    ImageDraw.Draw(img).rectangle((0, 0, 100, 100), fill=(0, 0, 0, 255))
    out = io.BytesIO()
    img.save(out, "PNG")
    clean = inspect(out.getvalue(), "chup-man-hinh.png", tmp_dir)
    stored = Image.open(clean.path)
    assert (stored.format, stored.mode, stored.size) == ("JPEG", "RGB", (1600, 667))
    assert stored.getpixel((1000, 500))[0] > 240  # transparent → white paper
    assert stored.getpixel((10, 10))[0] < 30
    assert clean.content_type == "image/jpeg"


def test_webp_is_re_encoded(tmp_dir: Path) -> None:
    clean = inspect(photo((1000, 800), gps=True, fmt="WEBP"), "anh.webp", tmp_dir)
    stored = Image.open(clean.path)
    assert stored.format == "JPEG" and stored.size == (1000, 800)
    assert len(stored.getexif()) == 0


def test_heic_is_read_when_the_library_is_there(tmp_dir: Path) -> None:
    if not heif_supported():
        message = refused(b"\0\0\0\x1cftypheic" + b"\0" * 200, "IMG_0001.HEIC", tmp_dir).message
        assert "Định dạng tương thích nhất" in message
        return
    img = Image.new("RGB", (2000, 1500), (30, 160, 30))
    out = io.BytesIO()
    img.save(out, "HEIF")
    clean = inspect(out.getvalue(), "IMG_0001.HEIC", tmp_dir)
    stored = Image.open(clean.path)
    assert stored.format == "JPEG" and stored.size == (1600, 1200)
    assert clean.ext == "jpg"


def test_a_file_named_like_a_pdf_is_judged_by_its_bytes(tmp_dir: Path) -> None:
    clean = inspect(photo((600, 400)), "giay-to.pdf", tmp_dir)
    assert clean.content_type == "image/jpeg"


def test_valid_pdf_is_kept_as_sent(tmp_dir: Path) -> None:
    original = pypdf_document(pages=3)
    clean = inspect(original, "don-de-nghi.pdf", tmp_dir)
    assert (clean.content_type, clean.ext) == ("application/pdf", "pdf")
    assert clean.path.read_bytes() == original
    assert clean.sha256 == hashlib.sha256(original).hexdigest()
    assert clean.size == len(original)
    assert len(PdfReader(clean.path).pages) == 3
    assert [p.name for p in tmp_dir.iterdir()] == [clean.path.name]


def test_pdf_with_real_page_content_is_accepted(tmp_dir: Path) -> None:
    text = b"BT /F1 12 Tf 72 720 Td (Giay khai sinh) Tj ET\n" * 2000
    clean = inspect(build_pdf(zlib.compress(text)), "khai-sinh.pdf", tmp_dir)
    assert clean.content_type == "application/pdf"


def test_pdf_with_a_link_is_accepted(tmp_dir: Path) -> None:
    link = (b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] "
            b"/A << /S /URI /URI (https://dichvucong.gov.vn) >> >>")
    data = build_pdf(b"", flate=False, catalog_extra=b"/OpenAction 5 0 R ",
                     extra_objects=(b"<< /S /GoTo /D [3 0 R /Fit] >>", link))
    assert inspect(data, "co-lien-ket.pdf", tmp_dir).content_type == "application/pdf"


# --- bad files ----------------------------------------------------------------------------

BAD_TYPE = "không phải ảnh hay PDF hợp lệ. Vui lòng chụp lại hoặc chọn tệp khác."
SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
       b'<script>fetch("/officer")</script></svg>')


@pytest.mark.parametrize(("data", "name"), [
    (b"MZ\x90\x00\x03" + b"\0" * 60 + b"This program cannot be run in DOS mode.", "anh.jpg"),
    (b"\x7fELF\x02\x01\x01" + b"\0" * 100, "to-khai.pdf"),
    (SVG, "anh.jpg"),
    (SVG, "anh.svg"),
    (b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", "don.pdf"),
    (b"PK\x03\x04\x14\x00" + b"\0" * 100, "ho-so.zip"),
    (b"Day la mot tep van ban", "ghi-chu.txt"),
    (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "anh.gif"),
    (b" %PDF-1.7\n", "khoang-trang.pdf"),
])
def test_files_that_are_neither_image_nor_pdf(tmp_dir: Path, data: bytes, name: str) -> None:
    err = refused(data, name, tmp_dir)
    assert err.message == f"Tệp “{name}” {BAD_TYPE}"
    assert err.code == "bad_type"


def test_empty_file(tmp_dir: Path) -> None:
    err = refused(b"", "trong.jpg", tmp_dir)
    assert err.code == "empty"
    assert err.message.startswith("Tệp “trong.jpg” rỗng")


def test_oversized_file(tmp_dir: Path) -> None:
    err = refused(photo((2000, 1500)), "lon.jpg", tmp_dir, max_bytes=20_000)
    assert err.code == "too_large"
    assert err.message.startswith("Tệp “lon.jpg” lớn hơn 19 KB.")
    err = refused(b"\xff\xd8\xff" + b"\0" * 2 * MB, "lon.jpg", tmp_dir, max_bytes=MB + MB // 2)
    assert err.message.startswith("Tệp “lon.jpg” lớn hơn 1,5 MB.")
    err = refused(b"%PDF-" + b"x" * (10 * MB), "lon.pdf", tmp_dir, max_bytes=10 * MB)
    assert err.message.startswith("Tệp “lon.pdf” lớn hơn 10 MB")


class EndlessUpload(io.RawIOBase):
    """A client that never stops sending; counts what the server read."""

    def __init__(self) -> None:
        self.sent = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        size = 64 * 1024 if size is None or size < 0 else size
        self.sent += size
        return b"\xff\xd8\xff" + b"\0" * (size - 3)


def test_a_huge_upload_is_refused_while_streaming(tmp_dir: Path) -> None:
    stream = EndlessUpload()
    tracemalloc.start()
    try:
        with pytest.raises(UploadRejected) as err:
            inspect_upload(stream, "vo-tan.jpg", max_bytes=10 * MB, tmp_dir=tmp_dir)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert err.value.code == "too_large"
    assert stream.sent <= 10 * MB + 64 * 1024 + 1
    assert peak < 2 * MB
    assert list(tmp_dir.iterdir()) == []


def with_peak_memory(call, *args):
    """What call(*args) returns, and the most memory it held at once."""
    tracemalloc.start()
    try:
        result = call(*args)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


def test_a_large_pdf_is_inspected_without_holding_it_twice(tmp_dir: Path) -> None:
    # A 9 MB scan-like PDF: one incompressible content stream.
    noise = random.Random(3).randbytes(9 * MB)
    data = build_pdf(b"%" + noise.replace(b"\n", b" ").replace(b"\r", b" "), flate=False)
    clean, peak = with_peak_memory(inspect, data, "scan.pdf", tmp_dir)
    assert clean.size == len(data)
    assert peak < 30 * MB


def test_truncated_jpeg(tmp_dir: Path) -> None:
    whole = photo((1200, 900))
    for cut in (len(whole) // 2, len(whole) - 10, 200):
        err = refused(whole[:cut], "cat-do.jpg", tmp_dir)
        assert err.code == "damaged", cut
        assert err.message.startswith("Ảnh “cat-do.jpg” bị hỏng")


def test_truncated_large_jpeg_decoded_at_reduced_scale(tmp_dir: Path) -> None:
    whole = photo((4000, 3000))
    assert refused(whole[: len(whole) * 2 // 3], "cat-do.jpg", tmp_dir).code == "damaged"


def test_truncated_png(tmp_dir: Path) -> None:
    out = io.BytesIO()
    Image.effect_noise((600, 600), 80).save(out, "PNG")
    assert refused(out.getvalue()[:5000], "cat.png", tmp_dir).code == "damaged"


def test_jpeg_magic_followed_by_garbage(tmp_dir: Path) -> None:
    assert refused(b"\xff\xd8\xff\xe0" + b"<script>x</script>" * 20, "gia.jpg",
                   tmp_dir).code == "damaged"


def png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body)))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b""))


@pytest.mark.parametrize(("width", "height"), [(8000, 6000), (30000, 30000)])
def test_decompression_bombs(tmp_dir: Path, width: int, height: int) -> None:
    err = refused(png_header_only(width, height), "bom.png", tmp_dir)
    assert err.code == "too_many_pixels"
    assert "kích thước quá lớn" in err.message


def test_pdf_bomb(tmp_dir: Path, pdf_bomb: bytes) -> None:
    err, peak = with_peak_memory(refused, pdf_bomb, "bom.pdf", tmp_dir)
    assert err.code == "pdf_bomb"
    assert err.message.startswith("Tệp “bom.pdf” có nội dung bất thường")
    assert peak < 100 * MB


def test_pdf_with_an_enormous_image(tmp_dir: Path) -> None:
    image = (b"<< /Type /XObject /Subtype /Image /Width 200000 /Height 200000 "
             b"/ColorSpace /DeviceGray /BitsPerComponent 8 /Length 0 >>\nstream\n\nendstream")
    data = build_pdf(b"", flate=False, catalog_extra=b"/Extra 5 0 R ", extra_objects=(image,))
    assert refused(data, "anh-to.pdf", tmp_dir).code == "pdf_bomb"


@pytest.mark.parametrize("document", [
    pytest.param(lambda: pypdf_document(js="app.alert('x')"), id="javascript-name-tree"),
    pytest.param(lambda: pypdf_document(attachment=True), id="embedded-file"),
    pytest.param(lambda: build_pdf(b"", flate=False, catalog_extra=(
        b"/OpenAction << /S /Launch /F (cmd.exe) >> ")), id="launch"),
    pytest.param(lambda: build_pdf(b"", flate=False, catalog_extra=(
        b"/OpenAction << /S /J#61vaScript /JS 5 0 R >> "),
        extra_objects=(b"(app.alert(1))",)), id="hex-escaped-javascript"),
    pytest.param(lambda: build_pdf(b"", flate=False, catalog_extra=b"/AA << /O 5 0 R >> ",
                                   extra_objects=(b"<< /S /JavaScript /JS (x) >>",)),
                 id="additional-action"),
])
def test_active_pdfs(tmp_dir: Path, document) -> None:  # noqa: ANN001
    err = refused(document(), "don.pdf", tmp_dir)
    assert err.code == "active_content"
    assert "mã chạy tự động" in err.message


def test_encrypted_pdf(tmp_dir: Path) -> None:
    err = refused(pypdf_document(password="123456"), "mat-khau.pdf", tmp_dir)
    assert err.code == "encrypted"
    assert "mật khẩu" in err.message


def test_too_many_pages(tmp_dir: Path) -> None:
    accepted = inspect(pypdf_document(pages=50), "50-trang.pdf", tmp_dir)
    accepted.discard()
    err = refused(pypdf_document(pages=51), "51-trang.pdf", tmp_dir)
    assert err.code == "too_many_pages"
    assert "50 trang" in err.message


@pytest.mark.parametrize("data", [
    b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\n",  # no xref, no trailer
    b"%PDF-1.4\n%%EOF\n",
    pytest.param(None, id="truncated"),
])
def test_broken_pdfs(tmp_dir: Path, data: bytes | None) -> None:
    if data is None:
        whole = pypdf_document(pages=2)
        data = whole[: len(whole) // 2]
    err = refused(data, "hong.pdf", tmp_dir)
    assert err.code == "damaged"
    assert err.message.startswith("Tệp “hong.pdf” bị hỏng")


# --- names ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "shown"), [
    ("../../etc/passwd.jpg", "passwd.jpg"),
    ("C:\\x\\a.jpg", "a.jpg"),
    ("/var/www/static/a.jpg", "a.jpg"),
    ("a\x00b\n.jpg", "ab.jpg"),
    ("hoa-don\u202egpj.exe", "hoa-dongpj.exe"),
    ("Giấy khai sinh.jpg", "Giấy khai sinh.jpg"),
    ("Gia\u0301y.jpg", "Giáy.jpg"),  # NFD input is stored composed
    ("  ..  ", ""),
    ("", ""),
])
def test_display_names_are_sanitised(raw: str, shown: str) -> None:
    assert safe_display_name(raw) == shown


def test_long_names_keep_their_extension() -> None:
    name = safe_display_name("a" * 300 + ".jpeg")
    assert len(name) == 120 and name.endswith(".jpeg")
    assert len(safe_display_name("b" * 300)) == 120


def test_path_traversal_names_on_accepted_and_refused_files(tmp_dir: Path) -> None:
    clean = inspect(photo((300, 200)), "../../etc/passwd.jpg", tmp_dir)
    assert clean.original_name == "passwd.jpg"
    assert clean.path.parent == tmp_dir
    clean.discard()
    err = refused(b"MZ" + b"\0" * 100, "C:\\Windows\\system32\\a.jpg", tmp_dir)
    assert "“a.jpg”" in err.message and "Windows" not in err.message


def test_a_nameless_file_is_still_named_in_the_message(tmp_dir: Path) -> None:
    assert "“không tên”" in refused(b"", "", tmp_dir).message
