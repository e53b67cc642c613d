"""Signing result PDFs as PAdES (pyHanko) through one interface with two implementations:
a PKCS#12 key file and a PKCS#11 token (a commune official's USB token, SoftHSM2 in tests).

A remote-signing service plugs in later as a third `ResultSigner`. Keys and passwords come
from the settings or a secrets file, never from the database. Each commune may have its own
key: `{commune}` in a path or label is replaced by the commune's slug.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from flask import current_app
from flask_babel import gettext as _

from app.core.coroutines import run_coroutine
from app.core.errors import DomainError

if TYPE_CHECKING:
    from pyhanko.sign.signers import Signer

    from app.places.models import Agency

# The visible block on page 1: its size in points (1/72 inch), kept inside a margin.
STAMP_WIDTH = 260
STAMP_HEIGHT = 78
STAMP_MARGIN = 18
FIELD_NAME = "MotcuaKetQua"


class SignerUnavailable(DomainError):
    """The configured key or token cannot be used now: nothing is issued (503)."""

    status_code = 503

    def __init__(self) -> None:
        super().__init__(_("Chưa ký số được kết quả: không mở được chứng thư số của xã (tệp "
                           "khoá hoặc thiết bị ký). Vui lòng kiểm tra thiết bị ký và thử "
                           "lại; kết quả chưa được cấp."), code="signer_unavailable")


class ResultSigner(Protocol):
    def open(self) -> AbstractContextManager[Signer]:
        """The pyHanko signer, for one signing (a token's session is closed after it)."""
        ...


@dataclass(frozen=True)
class Pkcs12Signer:
    """A key and its certificate chain in a PKCS#12 (.p12/.pfx) file."""

    path: Path
    password: bytes

    @contextmanager
    def open(self) -> Iterator[Signer]:
        from pyhanko.sign.signers import SimpleSigner

        try:
            signer = SimpleSigner.load_pkcs12(str(self.path), passphrase=self.password)
        except (OSError, ValueError) as exc:
            raise SignerUnavailable() from exc
        if signer is None:  # pyHanko logs and returns None on a wrong password
            raise SignerUnavailable()
        yield signer


@dataclass(frozen=True)
class Pkcs11Signer:
    """A key on a PKCS#11 token; the certificate is the token's object of the same label."""

    module: str
    token_label: str
    pin: str
    key_label: str

    @contextmanager
    def open(self) -> Iterator[Signer]:
        import pkcs11
        from pyhanko.sign.pkcs11 import PKCS11Signer, TokenCriteria, open_pkcs11_session

        try:
            session = open_pkcs11_session(self.module,
                                          token_criteria=TokenCriteria(label=self.token_label),
                                          user_pin=self.pin)
        except (pkcs11.PKCS11Error, OSError, RuntimeError) as exc:
            raise SignerUnavailable() from exc
        try:
            # Tokens sign a digest they are given (ECDSA raw): hash-and-sign mechanisms are
            # often missing (SoftHSM2 answers MechanismInvalid).
            yield PKCS11Signer(session, cert_label=self.key_label, key_label=self.key_label,
                               use_raw_mechanism=True)
        finally:
            session.close()


def _secret(value: str, file: str) -> str:
    """A password from its setting, or the first line of a secrets file (which wins)."""
    if file:
        try:
            return Path(file).read_text(encoding="utf-8").splitlines()[0].strip()
        except (OSError, IndexError) as exc:
            raise SignerUnavailable() from exc
    return value


def signer_for(agency: Agency) -> ResultSigner | None:
    """The commune's signer from RESULT_SIGNER and its settings; None when Motcua does not
    sign (the officer uploads a PDF the commune's own tool has signed)."""
    settings = current_app.config["MOTCUA"]

    def each(text: str) -> str:
        return text.replace("{commune}", agency.slug)

    password = _secret(settings.result_signer_password,
                       each(settings.result_signer_password_file))
    if settings.result_signer == "pkcs12":
        return Pkcs12Signer(Path(each(settings.result_signer_pkcs12)), password.encode())
    if settings.result_signer == "pkcs11":
        return Pkcs11Signer(settings.result_signer_pkcs11_module,
                            each(settings.result_signer_token_label), password,
                            each(settings.result_signer_key_label))
    return None


@dataclass(frozen=True)
class Stamp:
    """What the visible signature block says, and what its QR code holds (ending with the
    verification page's URL)."""

    lines: tuple[str, ...]
    qr: str


def already_signed(pdf: bytes) -> bool:
    """A PDF the agency's own tool signed: it is stored byte for byte, never re-signed."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        return bool(PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures)
    except Exception:  # noqa: BLE001  (anything unreadable is simply not signed)
        return False


def sign_pdf(pdf: bytes, signer: ResultSigner, stamp: Stamp, *, font_path: str = "",
             timestamp_url: str = "") -> bytes:
    """The PDF with a visible signature block and verification QR in the lower right of
    page 1, signed as PAdES (B-B, or B-T with a timestamp when an RFC 3161 URL is set).
    The original bytes stay in the file unchanged: signing appends an incremental update."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.sign import fields, signers
    from pyhanko.sign.timestamps import HTTPTimeStamper
    from pyhanko.stamp import QRStampStyle

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    box = _stamp_box(pdf)
    text = "\n".join(stamp.lines)
    if font_path:
        from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory

        style = QRStampStyle(stamp_text=text, border_width=1,
                             text_box_style=TextBoxStyle(
                                 font=GlyphAccumulatorFactory(font_path), font_size=7))
    else:
        # The built-in PDF font has no Vietnamese letters: write them without their marks.
        from app.core.text import strip_marks

        style = QRStampStyle(stamp_text=strip_marks(text), border_width=1,
                             text_box_style=TextBoxStyle(font_size=7))
    meta = signers.PdfSignatureMetadata(field_name=FIELD_NAME,
                                        subfilter=fields.SigSeedSubFilter.PADES)
    out = io.BytesIO()
    with signer.open() as pyhanko_signer:
        pdf_signer = signers.PdfSigner(
            meta, signer=pyhanko_signer, stamp_style=style,
            timestamper=HTTPTimeStamper(timestamp_url) if timestamp_url else None,
            new_field_spec=fields.SigFieldSpec(FIELD_NAME, on_page=0, box=box))
        # pyHanko's sync call wraps asyncio.run, which fails in a thread that runs a loop.
        run_coroutine(pdf_signer.async_sign_pdf(writer, output=out,
                                                appearance_text_params={"url": stamp.qr}))
    return out.getvalue()


def _stamp_box(pdf: bytes) -> tuple[int, int, int, int]:
    from pypdf import PdfReader

    media = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    left, bottom, right, top = (float(v) for v in (media.left, media.bottom, media.right,
                                                   media.top))
    width = min(STAMP_WIDTH, right - left - 2 * STAMP_MARGIN)
    height = min(STAMP_HEIGHT, top - bottom - 2 * STAMP_MARGIN)
    x2, y1 = int(right - STAMP_MARGIN), int(bottom + STAMP_MARGIN)
    return int(x2 - width), y1, x2, int(y1 + height)
