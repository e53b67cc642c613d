"""Inspection of an uploaded document: type from the bytes, images re-encoded bare, PDFs vetted.

Nothing here trusts the file name or the client's content type. Images are decoded and
written again as plain JPEG pixels (no EXIF, GPS or other metadata survives); PDFs are kept
as sent but only after checking they open, are not encrypted, carry no scripts or attached
files and do not expand into a "bomb". Every refusal removes its temporary files.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import os
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, Any, BinaryIO

from flask_babel import gettext as _
from PIL import Image, ImageCms, ImageOps
from pypdf import PageObject, PdfReader, apply_configuration
from pypdf.errors import FileNotDecryptedError, LimitReachedError
from pypdf.filters import decode_stream_data
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NumberObject,
    PdfObject,
    StreamObject,
)

from app.core.errors import DomainError

CHUNK = 64 * 1024
MAX_NAME_CHARS = 120
# Long side of a stored photo: enough to read a paper, small enough for a weak connection.
MAX_IMAGE_SIDE = 1600
JPEG_QUALITY = 82
# Decoding beyond this would take hundreds of MB of memory (a "decompression bomb").
# JPEG is decoded at a reduced scale (draft), so a big photo costs little; PNG, WebP and
# HEIF are decoded whole: a 4.9 KB PNG of 6300×6300 would cost a second of CPU.
MAX_IMAGE_PIXELS = 40_000_000
MAX_FULL_DECODE_PIXELS = 25_000_000
# What one request may make the server decode, all its files together.
MAX_REQUEST_PIXELS = 150_000_000
MAX_REQUEST_PDF_PAGES = 100
MAX_REQUEST_PDF_DECODED = 128 * 1024 * 1024
MAX_PDF_PAGES = 50
# One page's drawing instructions; real pages use kilobytes, rarely a few MB.
MAX_PDF_STREAM_BYTES = 16 * 1024 * 1024
MAX_PDF_TOTAL_DECODED = 64 * 1024 * 1024
MAX_PDF_IMAGE_PIXELS = 100_000_000
MAX_PDF_OBJECTS = 200_000

_HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx",
                          b"mif1", b"msf1"})
# Keys and action types that make a PDF run something or carry other files.
_PDF_ACTIVE_KEYS = frozenset({"/JS", "/JavaScript", "/EmbeddedFiles", "/EF", "/XFA"})
_PDF_ACTIVE_ACTIONS = frozenset({"/JavaScript", "/Launch", "/ImportData",
                                 "/RichMediaExecute"})
_PDF_ACTIVE_TYPES = frozenset({"/EmbeddedFile", "/FileAttachment", "/RichMedia", "/Sound",
                               "/Movie", "/Screen"})
# Citizens' uploads: every action kind a PDF names (ISO 32000-2, 12.6.4) ...
_PDF_ACTION_KINDS = frozenset({
    "/GoTo", "/GoToR", "/GoToE", "/GoToDp", "/Launch", "/Thread", "/URI", "/Sound", "/Movie",
    "/Hide", "/Named", "/SubmitForm", "/ResetForm", "/ImportData", "/JavaScript",
    "/SetOCGState", "/Rendition", "/Trans", "/GoTo3DView", "/RichMediaExecute"})
# ... of which only these are passive: a jump inside the document, a link the reader clicks.
_PDF_PASSIVE_ACTIONS = frozenset({"/GoTo", "/URI"})
_PDF_LINK_SCHEMES = ("http://", "https://", "mailto:")
# Actions the viewer runs by itself (on opening, on a page, on a field): refused whatever
# they do, except an /OpenAction that only shows a page (a destination array or /GoTo).
_PDF_AUTOMATIC_KEYS = frozenset({"/AA"})


class UploadRejected(Exception):
    """The file was refused; `message` (also str()) says why, in Vietnamese, naming it."""

    def __init__(self, message: str, *, code: str = "invalid_file") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class UploadSpaceFull(DomainError):
    """The server's upload folder is full (or over its quota): not the citizen's fault, so
    a 503 that invites a retry, never a 500. Nothing of the request is kept."""

    status_code = 503

    def __init__(self) -> None:
        super().__init__(_("Máy chủ tạm thời không còn chỗ nhận tệp nên hồ sơ chưa được "
                           "gửi. Vui lòng thử lại sau ít phút; thông tin chưa được lưu sẽ "
                           "không bị tính là đã gửi."), code="upload_space_full")


# A write that failed for lack of space (ENOSPC) or of quota (EDQUOT).
_NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT})


@dataclass
class UploadBudget:
    """What one request may make the server inspect and store: files, bytes, decoded
    pixels and PDF pages. Every file is charged before the costly part of its check."""

    max_files: int
    max_bytes: int
    max_pixels: int = MAX_REQUEST_PIXELS
    max_pdf_pages: int = MAX_REQUEST_PDF_PAGES
    max_pdf_decoded: int = MAX_REQUEST_PDF_DECODED
    # The bytes limit comes from the phone's daily allowance, not the dossier's size.
    bytes_are_daily: bool = False
    daily_mb: int = 0
    files: int = 0
    bytes: int = 0
    pixels: int = 0
    pdf_pages: int = 0
    pdf_decoded: int = 0

    def add_file(self, name: str) -> None:
        self.files += 1
        if self.files > self.max_files:
            raise UploadRejected(
                _("Mỗi lần gửi nhận tối đa %(n)s tệp; tệp “%(name)s” vượt quá số đó. Vui lòng "
                  "bớt tệp hoặc gộp nhiều trang vào một tệp PDF.", n=self.max_files,
                  name=_shown(name)), code="too_many_files")

    def add_bytes(self, name: str, size: int) -> None:
        self.bytes += size
        if self.bytes <= self.max_bytes:
            return
        if self.bytes_are_daily:
            raise UploadRejected(
                _("Số điện thoại này đã gửi gần %(mb)s MB tệp hôm nay, là mức tối đa mỗi "
                  "ngày. Vui lòng gửi tiếp vào ngày mai hoặc mang giấy tờ đến bộ phận một "
                  "cửa.", mb=self.daily_mb), code="daily_quota")
        raise UploadRejected(
            _("Tổng dung lượng các tệp vượt quá %(limit)s (tệp “%(name)s”). Hãy chụp ảnh nhỏ "
              "hơn hoặc bớt trang.", limit=_size_text(self.max_bytes), name=_shown(name)),
            code="too_large_total")

    def add_pixels(self, name: str, pixels: int) -> None:
        self.pixels += pixels
        if self.pixels > self.max_pixels:
            raise UploadRejected(
                _("Các ảnh gửi cùng lúc quá nhiều điểm ảnh (tới ảnh “%(name)s”). Vui lòng "
                  "gửi ít ảnh hơn hoặc chụp với độ phân giải thấp hơn.", name=_shown(name)),
                code="too_many_pixels_total")

    def add_pdf(self, name: str, pages: int, decoded: int) -> None:
        self.pdf_pages += pages
        self.pdf_decoded += decoded
        if self.pdf_pages > self.max_pdf_pages or self.pdf_decoded > self.max_pdf_decoded:
            raise UploadRejected(
                _("Các tệp PDF gửi cùng lúc quá nhiều trang hoặc quá nặng (tới tệp "
                  "“%(name)s”). Vui lòng chỉ gửi những trang cần thiết.", name=_shown(name)),
                code="too_much_pdf")


@dataclass
class CleanUpload:
    """A file that passed inspection, waiting in a temporary file to be stored."""

    path: Path
    content_type: str
    ext: str
    size: int
    sha256: str
    original_name: str

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


def safe_display_name(filename: str) -> str:
    """The name to show: the last path part only, without control or direction characters."""
    name = unicodedata.normalize("NFC", filename or "").replace("\\", "/").split("/")[-1]
    # Cc: control characters; Cf: invisible format characters such as U+202E, which can
    # make "gpj.exe" display as "exe.jpg".
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf"))
    name = " ".join(name.split()).strip(". ")
    if len(name) > MAX_NAME_CHARS:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[:MAX_NAME_CHARS - len(ext) - 1].rstrip() + "." + ext
        else:
            name = name[:MAX_NAME_CHARS]
    return name


def _shown(name: str) -> str:
    return name or _("không tên")


def _new_temp(tmp_dir: Path, prefix: str) -> tuple[BinaryIO, Path]:
    fd, name = tempfile.mkstemp(dir=tmp_dir, prefix=prefix, suffix=".part")
    return os.fdopen(fd, "w+b"), Path(name)


def _size_text(max_bytes: int) -> str:
    """'10 MB', '1,5 MB', '20 KB': as a Vietnamese reader writes sizes (decimal comma)."""
    if max_bytes < 1024 * 1024:
        return f"{max_bytes // 1024} KB"
    mb = max_bytes / (1024 * 1024)
    return (f"{mb:.0f}" if mb == int(mb) else f"{mb:.1f}".replace(".", ",")) + " MB"


def inspect_upload(stream: IO[bytes], filename: str, *, max_bytes: int,
                   tmp_dir: Path, budget: UploadBudget | None = None,
                   citizen: bool = True) -> CleanUpload:
    """Receive `stream` into `tmp_dir` and return the cleaned file, or raise UploadRejected.

    The stream is read in chunks and refused as soon as it passes `max_bytes`, so a huge
    upload never sits in memory. The caller stores the result or calls `discard()`.
    `budget` bounds the whole request; `citizen` (the default) refuses every active PDF
    action, where an officer's result file (signed by the commune, never rewritten) keeps
    the links and jumps its signing software adds.
    """
    name = safe_display_name(filename)
    budget = budget or UploadBudget(max_files=1, max_bytes=max_bytes)
    budget.add_file(name)
    try:
        return _inspect(stream, name, max_bytes, tmp_dir, budget, citizen)
    except OSError as exc:
        if exc.errno in _NO_SPACE:
            raise UploadSpaceFull() from exc
        raise


def _inspect(stream: IO[bytes], name: str, max_bytes: int, tmp_dir: Path,
             budget: UploadBudget, citizen: bool) -> CleanUpload:
    tmp_dir.mkdir(parents=True, exist_ok=True)
    raw, raw_path = _new_temp(tmp_dir, "raw-")
    keep_raw = False
    try:
        with raw:
            digest, size = _receive(stream, raw, name, max_bytes)
            budget.add_bytes(name, size)
            raw.seek(0)
            head = raw.read(32)
            kind = _sniff(head)
            if kind is None:
                raise _not_a_document(name)
            if kind == "pdf":
                _check_pdf(raw, name, budget, citizen=citizen)
                keep_raw = True
                return CleanUpload(raw_path, "application/pdf", "pdf", size, digest, name)
        return _clean_image(raw_path, kind, name, tmp_dir, budget)
    finally:
        if not keep_raw:
            raw_path.unlink(missing_ok=True)


def _receive(stream: IO[bytes], out: BinaryIO, name: str, max_bytes: int) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > max_bytes:
            raise UploadRejected(
                _("Tệp “%(name)s” lớn hơn %(limit)s. Vui lòng chụp lại với độ phân giải thấp "
                  "hơn, bớt trang hoặc chọn tệp nhỏ hơn.", name=_shown(name),
                  limit=_size_text(max_bytes)),
                code="too_large")
        digest.update(chunk)
        out.write(chunk)
    if size == 0:
        raise UploadRejected(_("Tệp “%(name)s” rỗng (0 byte). Vui lòng chọn lại tệp.",
                               name=_shown(name)), code="empty")
    return digest.hexdigest(), size


def _sniff(head: bytes) -> str | None:
    """The document kind from its first bytes (magic numbers), or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "HEIF"
    if head.startswith(b"%PDF-"):
        return "pdf"
    return None


def _not_a_document(name: str) -> UploadRejected:
    return UploadRejected(
        _("Tệp “%(name)s” không phải ảnh hay PDF hợp lệ. Vui lòng chụp lại hoặc chọn tệp "
          "khác.", name=_shown(name)), code="bad_type")


def _damaged_image(name: str) -> UploadRejected:
    return UploadRejected(
        _("Ảnh “%(name)s” bị hỏng hoặc chưa tải lên hết. Vui lòng chụp lại hoặc chọn tệp "
          "khác.", name=_shown(name)), code="damaged")


@cache
def heif_supported() -> bool:
    """Register the HEIC/HEIF reader once, if the pillow-heif wheel is installed."""
    try:
        import pillow_heif
    except ImportError:
        return False
    pillow_heif.register_heif_opener()
    return True


def _clean_image(raw_path: Path, kind: str, name: str, tmp_dir: Path,
                 budget: UploadBudget) -> CleanUpload:
    if kind == "HEIF" and not heif_supported():
        raise UploadRejected(
            _("Ảnh “%(name)s” ở định dạng HEIC chưa đọc được. Vui lòng vào Cài đặt → Camera → "
              "Định dạng, chọn “Định dạng tương thích nhất” (JPEG) rồi chụp lại.",
              name=_shown(name)), code="heic")
    try:
        # formats=[kind]: the decoder is the one the bytes announced, never a guess.
        with Image.open(raw_path, formats=[kind]) as img:
            width, height = img.size
            if width <= 0 or height <= 0:
                raise _damaged_image(name)
            # The header's dimensions, checked before a single pixel is decoded.
            limit = MAX_IMAGE_PIXELS if kind == "JPEG" else MAX_FULL_DECODE_PIXELS
            if width * height > limit:
                raise _too_many_pixels(name)
            if kind == "JPEG":
                # Decode straight at a reduced scale: a 12 MP photo then needs a quarter
                # of the memory, and the result is downscaled anyway.
                scale = MAX_IMAGE_SIDE / max(width, height)
                if scale < 1:
                    img.draft("RGB", (int(width * scale), int(height * scale)))
            budget.add_pixels(name, img.size[0] * img.size[1])  # what will be decoded
            img.load()
            pixels = _bare_rgb(img)
    except UploadRejected:
        raise
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels(name) from exc
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError,
            Image.UnidentifiedImageError) as exc:
        raise _damaged_image(name) from exc
    out, out_path = _new_temp(tmp_dir, "clean-")
    try:
        with out:
            pixels.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        data_hash, size = _hash_file(out_path)
    except BaseException:
        out_path.unlink(missing_ok=True)
        raise
    return CleanUpload(out_path, "image/jpeg", "jpg", size, data_hash, name)


def _too_many_pixels(name: str) -> UploadRejected:
    return UploadRejected(
        _("Ảnh “%(name)s” có kích thước quá lớn. Vui lòng chụp lại hoặc chọn ảnh khác.",
          name=_shown(name)), code="too_many_pixels")


def _bare_rgb(img: Image.Image) -> Image.Image:
    """Upright, sRGB, at most MAX_IMAGE_SIDE, in a fresh image that carries no metadata."""
    img = ImageOps.exif_transpose(img)
    icc = img.info.get("icc_profile")
    if icc and img.mode in ("RGB", "CMYK"):
        with contextlib.suppress(ImageCms.PyCMSError, OSError, ValueError):
            converted = ImageCms.profileToProfile(
                img, ImageCms.ImageCmsProfile(io.BytesIO(icc)), ImageCms.createProfile("sRGB"),
                outputMode="RGB")
            if converted is not None:
                img = converted
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        # Transparent parts of a screenshot or scan become white paper, not black.
        rgba = img.convert("RGBA")
        img = Image.new("RGB", rgba.size, "white")
        img.paste(rgba, mask=rgba.getchannel("A"))
    elif img.mode != "RGB":
        img = img.convert("RGB")
    img.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE), Image.Resampling.LANCZOS)
    # A new image has an empty info dict: nothing of the original's metadata can be saved.
    bare = Image.new("RGB", img.size)
    bare.paste(img)
    return bare


def _hash_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


class _PdfBomb(Exception):
    pass


class _PdfActive(Exception):
    pass


def _check_pdf(fh: BinaryIO, name: str, budget: UploadBudget, *, citizen: bool) -> None:
    """Refuse PDFs that do not open strictly, are encrypted, active, too long or bombs."""
    limits: dict[str, Any] = {key: MAX_PDF_STREAM_BYTES for key in (
        "zlib_maximum_output_length", "lzw_maximum_output_length",
        "run_length_maximum_output_length", "array_based_stream_maximum_output_length",
        "jbig2_maximum_output_length", "brotli_maximum_output_length")}
    try:
        # The limits are context-local in pypdf: they bound every decode this check makes,
        # including the cross-reference and object streams read while parsing.
        with apply_configuration(stream_decoding_work_maximum_length=4 * MAX_PDF_STREAM_BYTES,
                                 **limits):
            fh.seek(0)
            reader = PdfReader(fh, strict=True)
            if reader.is_encrypted:
                raise FileNotDecryptedError("encrypted")
            if len(reader.pages) > MAX_PDF_PAGES:
                raise UploadRejected(
                    _("Tệp “%(name)s” có hơn %(pages)s trang. Vui lòng chỉ gửi những trang "
                      "cần thiết.", name=_shown(name), pages=MAX_PDF_PAGES), code="too_many_pages")
            pages = len(reader.pages)
            budget.add_pdf(name, pages, 0)
            _refuse_active_content(reader, citizen=citizen)
            budget.add_pdf(name, 0, _refuse_bombs(reader))
    except UploadRejected:
        raise
    except FileNotDecryptedError as exc:
        raise UploadRejected(
            _("Tệp “%(name)s” đang đặt mật khẩu. Vui lòng gửi bản không có mật khẩu.",
              name=_shown(name)), code="encrypted") from exc
    except _PdfActive as exc:
        raise UploadRejected(
            _("Tệp “%(name)s” chứa mã chạy tự động hoặc tệp đính kèm nên không được nhận. "
              "Vui lòng in lại ra PDF thường hoặc chụp ảnh giấy tờ.", name=_shown(name)),
            code="active_content") from exc
    except (_PdfBomb, LimitReachedError, RecursionError, MemoryError) as exc:
        raise UploadRejected(
            _("Tệp “%(name)s” có nội dung bất thường, không mở an toàn được. Vui lòng chọn "
              "tệp khác hoặc chụp ảnh giấy tờ.", name=_shown(name)), code="pdf_bomb") from exc
    except Exception as exc:
        # A hostile PDF can make the parser fail in any way; every failure means "refuse".
        raise UploadRejected(
            _("Tệp “%(name)s” bị hỏng, không mở được. Vui lòng chọn tệp khác hoặc chụp ảnh "
              "giấy tờ.", name=_shown(name)), code="damaged") from exc


def _pdf_objects(reader: PdfReader) -> Iterator[PdfObject]:
    """Every object reachable from the trailer, each once (cycles are common in PDFs)."""
    stack: list[PdfObject] = [reader.trailer]
    seen: set[tuple[int, int]] = set()
    count = 0
    while stack:
        obj = stack.pop()
        ref = None
        if isinstance(obj, IndirectObject):
            ref = (obj.idnum, obj.generation)
            if ref in seen:
                continue
            seen.add(ref)
            resolved = obj.get_object()
            if resolved is None:
                continue
            obj = resolved
        count += 1
        if count > MAX_PDF_OBJECTS:
            raise _PdfBomb("too many objects")
        yield obj
        # The raw entries (dict.values, list iteration), so each reference is resolved
        # once, above, instead of by pypdf's resolving accessors.
        if isinstance(obj, DictionaryObject):
            stack.extend(dict.values(obj))
        elif isinstance(obj, ArrayObject):
            stack.extend(list.__iter__(obj))
        if ref is not None and isinstance(obj, StreamObject):
            # pypdf keeps every resolved object, stream bytes included: drop each stream
            # once seen, so checking a 20 MB scan holds one stream in memory, not all.
            reader.resolved_objects.pop((ref[1], ref[0]), None)
        del obj


def _entry(obj: DictionaryObject, key: str) -> PdfObject | None:
    """A dictionary entry with references resolved (dict.get would return them raw)."""
    value = obj.get(key)
    return value.get_object() if value is not None else None


def _refuse_active_content(reader: PdfReader, *, citizen: bool = True) -> None:
    """Every object reachable from the trailer (catalog, pages, annotations, AcroForm,
    outlines, name trees), so an action cannot hide behind an unusual path."""
    for obj in _pdf_objects(reader):
        if not isinstance(obj, DictionaryObject):
            continue
        if any(key in _PDF_ACTIVE_KEYS for key in obj):
            raise _PdfActive("active key")
        if _entry(obj, "/S") in _PDF_ACTIVE_ACTIONS:
            raise _PdfActive("active action")
        if citizen:
            _refuse_citizen_actions(obj)
        subtype = _entry(obj, "/Subtype")
        if _entry(obj, "/Type") in _PDF_ACTIVE_TYPES or subtype in _PDF_ACTIVE_TYPES:
            raise _PdfActive("embedded file or multimedia")
        if subtype == "/Image":
            width, height = _entry(obj, "/Width"), _entry(obj, "/Height")
            if (isinstance(width, NumberObject) and isinstance(height, NumberObject)
                    and int(width) * int(height) > MAX_PDF_IMAGE_PIXELS):
                raise _PdfBomb("huge image")


def _link_target(value: PdfObject | None) -> str:
    """A /URI action's target, without the spaces and controls that hide a scheme."""
    text = str(value or "")
    return "".join(ch for ch in text if ch.isprintable() and not ch.isspace()).lower()


def _refuse_citizen_actions(obj: DictionaryObject) -> None:
    """Safe by default: an action is refused unless it is a jump inside the document or a
    web or mail link; nothing may run by itself (/AA), and /OpenAction may only show a
    page."""
    if any(key in _PDF_AUTOMATIC_KEYS for key in obj):
        raise _PdfActive("automatic action")
    opening = _entry(obj, "/OpenAction")
    if isinstance(opening, DictionaryObject) and _entry(opening, "/S") != "/GoTo":
        raise _PdfActive("open action")
    kind = _entry(obj, "/S")
    if _entry(obj, "/Type") == "/Action" and kind not in _PDF_PASSIVE_ACTIONS:
        raise _PdfActive("action")
    if kind in _PDF_ACTION_KINDS:
        if kind not in _PDF_PASSIVE_ACTIONS:
            raise _PdfActive(f"action {kind}")
        if kind == "/URI" and not _link_target(_entry(obj, "/URI")).startswith(
                _PDF_LINK_SCHEMES):
            raise _PdfActive("link that is not a web or mail address")
        if _entry(obj, "/Next") is not None:
            raise _PdfActive("chained actions")


def _forget(reader: PdfReader, ref: PdfObject | None) -> None:
    """Drop a resolved object from pypdf's cache, which otherwise keeps every stream's bytes
    for the reader's life: a 20 MB scan would then sit in memory whole."""
    if isinstance(ref, IndirectObject):
        reader.resolved_objects.pop((ref.generation, ref.idnum), None)


def _page_streams(reader: PdfReader, page: PageObject) -> Iterator[StreamObject]:
    """The streams drawn for a page, one at a time: its contents and its form XObjects."""
    contents = page.get("/Contents")
    if contents is not None:
        resolved = contents.get_object()
        parts = list(resolved) if isinstance(resolved, ArrayObject) else [contents]
        for part in parts:
            stream = part.get_object()
            if isinstance(stream, StreamObject):
                yield stream
            _forget(reader, part)
    resources = page.get("/Resources")
    xobjects = resources.get_object().get("/XObject") if resources is not None else None
    if xobjects is not None:
        for ref in dict.values(xobjects.get_object()):
            xobject = ref.get_object()
            if isinstance(xobject, StreamObject) and xobject.get("/Subtype") == "/Form":
                yield xobject
            del xobject
            _forget(reader, ref)  # images are not decoded, only their dictionary was read


def _refuse_bombs(reader: PdfReader) -> int:
    """Decode what each page draws under the configured caps, one stream at a time; the
    decoded bytes (the work done)."""
    total = 0
    for page in reader.pages:
        for stream in _page_streams(reader, page):
            if "/Filter" in stream:
                # decode_stream_data does not cache the result on the object, so memory
                # stays at one stream's worth, and the limits stop it at the cap.
                total += len(decode_stream_data(stream))
            else:
                total += len(stream.get_data())
            if total > MAX_PDF_TOTAL_DECODED:
                raise _PdfBomb("too much content")
    return total
