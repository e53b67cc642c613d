"""The report of views: which officer opened which dossier's files, and when (from the
audit trail), filtered by dossier, officer and dates."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.accounts.models import Officer
from app.backoffice.models import AuditEntry
from app.dossiers.models import Dossier, DossierFile
from app.extensions import db
from app.procedures.models import ProcedureDocument

HEADER = ["thoi_gian", "tai_khoan", "ho_ten", "ma_ho_so", "tep", "giay_to"]
PAGE_LIMIT = 500


def file_views(agency_id: int, start: datetime, end: datetime, *,
               dossier_id: int | None = None, officer_id: int | None = None,
               limit: int | None = None) -> Iterator[Any]:
    """(at, username, full name, dossier code, file id, document name), oldest first."""
    stmt = (select(AuditEntry.at, Officer.username, Officer.full_name, Dossier.code,
                   AuditEntry.file_id, ProcedureDocument.name)
            .join(Officer, Officer.id == AuditEntry.officer_id)
            .join(Dossier, Dossier.id == AuditEntry.dossier_id)
            .outerjoin(DossierFile, DossierFile.id == AuditEntry.file_id)
            .outerjoin(ProcedureDocument, ProcedureDocument.id == DossierFile.requirement_id)
            .where(AuditEntry.agency_id == agency_id, AuditEntry.what == "view_file",
                   AuditEntry.at >= start, AuditEntry.at < end)
            .order_by(AuditEntry.at, AuditEntry.id))
    if dossier_id is not None:
        stmt = stmt.where(AuditEntry.dossier_id == dossier_id)
    if officer_id is not None:
        stmt = stmt.where(AuditEntry.officer_id == officer_id)
    if limit is not None:
        stmt = stmt.limit(limit)
    yield from db.session.execute(stmt.execution_options(yield_per=500))
