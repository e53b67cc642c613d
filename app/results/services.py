"""Every write of results: issuing a numbered result for a stored PDF, and revoking it.

Flush only; the request commits (app/core/transaction.py).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.accounts.models import Officer
from app.core.errors import DomainError
from app.core.models import utcnow
from app.core.vntime import to_vietnam_time
from app.dossiers.models import Dossier, FileKind
from app.dossiers.services import attach_files
from app.dossiers.uploads import CleanUpload
from app.extensions import db
from app.results.models import ResultDocument
from app.results.signing import Stamp, already_signed, sign_pdf, signer_for
from app.results.verification import check_signature, trust_roots

MAX_REASON = 500


def result_code(dossier: Dossier, number: int) -> str:
    """Decree 45/2020 art. 14: the result carries the dossier's code and its own number."""
    return f"{dossier.code}-KQ{number}"


def verification_url(public_id: str) -> str:
    """What the result's QR opens: the public verification page of this result."""
    return f"{current_app.config['MOTCUA'].public_base_url}/verify/{public_id}"


def qr_content(dossier: Dossier, code: str, public_id: str, at: datetime) -> str:
    """What the result's QR holds, after Circular 01/2023/TT-VPCP: the dossier code, the
    procedure code, the citizen ID, the document's name, the issuing system and the time,
    one per line, then the verification page's URL last (a phone offers to open it)."""
    with force_locale("vi"):
        return "\n".join((
            _("Mã hồ sơ: %(v)s", v=dossier.code),
            _("Mã thủ tục: %(v)s", v=dossier.procedure.code),
            _("Số định danh: %(v)s", v=dossier.citizen_id_number),
            _("Giấy tờ: Kết quả %(code)s – %(name)s", code=code, name=dossier.procedure.name),
            _("Hệ thống: Motcua – %(agency)s", agency=dossier.agency.name),
            _("Thời gian: %(at)s", at=to_vietnam_time(at).strftime("%H:%M %d/%m/%Y")),
            verification_url(public_id)))


def result_qr(result: ResultDocument) -> str:
    """The QR content of an issued result: the one on its signature block, and the one the
    desk prints on the slip when the PDF was signed by the commune's own tool."""
    return qr_content(result.dossier, result.code, result.public_id, result.issued_at)


def _stamp_lines(dossier: Dossier, code: str, at: datetime) -> tuple[str, ...]:
    # The paper's language whatever the officer's interface language.
    with force_locale("vi"):
        return (dossier.agency.full_name,
                _("Mã kết quả: %(code)s", code=code),
                _("Ký số lúc: %(at)s", at=to_vietnam_time(at).strftime("%H:%M %d/%m/%Y")),
                _("Quét mã QR để kiểm tra kết quả"))


def _signed_copy(dossier: Dossier, upload: CleanUpload, code: str, public_id: str,
                 at: datetime) -> bytes:
    """The bytes to store: a PDF already signed (by the commune's own tool) exactly as it
    came; otherwise signed here when the commune has a signer, else as uploaded."""
    data = upload.path.read_bytes()
    if already_signed(data):
        return data
    signer = signer_for(dossier.agency)
    if signer is None:
        return data
    settings = current_app.config["MOTCUA"]
    signed = sign_pdf(data, signer, Stamp(_stamp_lines(dossier, code, at),
                                          qr_content(dossier, code, public_id, at)),
                      font_path=settings.result_stamp_font,
                      timestamp_url=settings.result_timestamp_url)
    upload.path.write_bytes(signed)
    upload.size = len(signed)
    upload.sha256 = hashlib.sha256(signed).hexdigest()
    return signed


def issue_result(dossier: Dossier, upload: CleanUpload, officer: Officer,
                 at: datetime | None = None) -> ResultDocument:
    """Give the uploaded PDF the dossier's next result number, sign it if Motcua signs for
    the commune, store it and record what its signature says. Two officers issuing at once
    collide on the (dossier, number) unique key instead of sharing a number."""
    if upload.content_type != "application/pdf":
        raise ValueError("a result is a PDF")
    if dossier.id is None:
        db.session.flush()
    now = at or utcnow()
    last = db.session.scalar(select(func.max(ResultDocument.number))
                             .where(ResultDocument.dossier_id == dossier.id)) or 0
    number = last + 1
    code = result_code(dossier, number)
    public_id = secrets.token_urlsafe(18)
    data = _signed_copy(dossier, upload, code, public_id, now)
    check = check_signature(data, dossier.agency,
                            trust_roots(current_app.config["MOTCUA"].result_trust_roots))
    attach_files(dossier, [(None, upload)], FileKind.RESULT)
    result = ResultDocument(dossier_id=dossier.id, number=number, code=code,
                            public_id=public_id, file=dossier.files[-1], issued_at=now,
                            issued_by_id=officer.id, signature_status=check.status.value,
                            signer_name=check.signer[:300])
    db.session.add(result)
    db.session.flush()
    return result


def clean_reason(reason: str) -> str:
    """The reason for a revocation, as it will be shown; refuses an empty or long one."""
    text = " ".join((reason or "").split())
    if not text:
        raise DomainError(_("Vui lòng ghi lý do thay thế kết quả."), code="reason_required")
    if len(text) > MAX_REASON:
        raise DomainError(_("Lý do dài quá %(n)s ký tự.", n=MAX_REASON), code="reason_too_long")
    return text


def revoke_result(result: ResultDocument, reason: str, replaced_by: ResultDocument | None,
                  at: datetime | None = None) -> None:
    """Mark an issued result revoked, once; its file and number stay for the record."""
    if result.revoked:
        raise DomainError(_("Kết quả %(code)s đã bị thu hồi trước đó.", code=result.code),
                          code="already_revoked")
    result.revoked_at = at or utcnow()
    result.revocation_reason = clean_reason(reason)
    result.replaced_by = replaced_by
    db.session.flush()
