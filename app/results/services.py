"""Every write of results: issuing a numbered result for a stored PDF, and revoking it.

Flush only; the request commits (app/core/transaction.py).
"""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.accounts.models import Officer
from app.core.errors import DomainError
from app.core.models import utcnow
from app.dossiers.models import Dossier, DossierFile, FileKind
from app.extensions import db
from app.results.models import ResultDocument

MAX_REASON = 500


def result_code(dossier: Dossier, number: int) -> str:
    """Decree 45/2020 art. 14: the result carries the dossier's code and its own number."""
    return f"{dossier.code}-KQ{number}"


def issue_result(dossier: Dossier, stored: DossierFile, officer: Officer,
                 at: datetime | None = None) -> ResultDocument:
    """Give the stored PDF the dossier's next result number. Two officers issuing at once
    collide on the (dossier, number) unique key instead of sharing a number."""
    if stored.kind != FileKind.RESULT.value or stored.content_type != "application/pdf":
        raise ValueError("a result is a stored PDF of kind 'result'")
    if dossier.id is None:
        db.session.flush()
    last = db.session.scalar(select(func.max(ResultDocument.number))
                             .where(ResultDocument.dossier_id == dossier.id)) or 0
    number = last + 1
    result = ResultDocument(dossier_id=dossier.id, number=number,
                            code=result_code(dossier, number),
                            public_id=secrets.token_urlsafe(18), file=stored,
                            issued_at=at or utcnow(), issued_by_id=officer.id)
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
