"""What a result PDF's own signature says: intact since signing, by a certificate that
chains to a trusted root, issued to the commune the result names.

The trusted roots are the PEM file RESULT_TRUST_ROOTS (the Government CA's roots, or a
commune's own test CA); with none configured no signature counts as trusted.
"""

from __future__ import annotations

import enum
import io
import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from app.core.coroutines import run_coroutine
from app.core.text import fold

if TYPE_CHECKING:
    from app.places.models import Agency


class SignatureStatus(enum.StrEnum):
    VALID = "valid"                # intact, trusted, this commune's certificate
    UNSIGNED = "unsigned"          # no digital signature at all
    CHANGED = "changed"            # bytes changed after signing, or not all covered
    UNTRUSTED = "untrusted"        # the certificate does not chain to a trusted root
    OTHER_AGENCY = "other_agency"  # a valid signature, by another agency's certificate


@dataclass(frozen=True)
class SignatureCheck:
    status: SignatureStatus
    signer: str = ""  # the certificate's subject, as it reads
    signed_at: datetime | None = None

    @property
    def valid(self) -> bool:
        return self.status == SignatureStatus.VALID


# "UBND xã Tản Hồng", "Ủy ban nhân dân xã Tản Hồng": the committee of the commune itself.
_COMMITTEE = re.compile(r"^(ubnd|uy ban nhan dan)\s+")


def names_agency(subject: dict[str, Any], agency: Agency) -> bool:
    """The certificate was issued to this commune: its organisation (or, failing that, its
    common name), without the "UBND" prefix, is the commune's name, accents and case aside."""
    holder = subject.get("organization_name") or subject.get("common_name") or ""
    return _COMMITTEE.sub("", fold(str(holder))) == fold(agency.name)


def trust_roots(path: str) -> list[Any]:
    if not path:
        return []
    from pyhanko.keys import load_certs_from_pemder

    return list(load_certs_from_pemder([path]))


def check_signature(pdf: bytes, agency: Agency, roots: list[Any]) -> SignatureCheck:
    """The last signature of the PDF, judged for this commune (offline: no revocation
    lists are fetched, which the commune's CA publishes for its own checks)."""
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
    except (PdfReadError, ValueError, KeyError):
        return SignatureCheck(SignatureStatus.UNSIGNED)
    if not signatures:
        return SignatureCheck(SignatureStatus.UNSIGNED)
    try:
        status = run_coroutine(async_validate_pdf_signature(
            signatures[-1], ValidationContext(trust_roots=roots, allow_fetching=False,
                                              revocation_mode="soft-fail")))
    except (PdfReadError, ValueError, KeyError):
        return SignatureCheck(SignatureStatus.CHANGED)
    subject = status.signing_cert.subject.native
    signer = str(subject.get("common_name") or subject.get("organization_name") or "")
    signed_at = status.signer_reported_dt
    if not status.intact or not status.valid \
            or status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return SignatureCheck(SignatureStatus.CHANGED, signer, signed_at)
    if not status.trusted:
        return SignatureCheck(SignatureStatus.UNTRUSTED, signer, signed_at)
    if not names_agency(subject, agency):
        return SignatureCheck(SignatureStatus.OTHER_AGENCY, signer, signed_at)
    return SignatureCheck(SignatureStatus.VALID, signer, signed_at)
