"""Personal-data builders: stored files for a given document, closing a dossier at a chosen
moment, and audit lines at chosen moments."""

from __future__ import annotations

from datetime import datetime

from app.backoffice.models import AuditEntry
from app.dossiers.filestore import get_file_store
from app.dossiers.models import Dossier, DossierEvent, DossierFile
from app.extensions import db
from app.procedures.models import ProcedureDocument
from tests.factories.files import png_bytes


def stored_file(found: Dossier, requirement: ProcedureDocument | None = None,
                kind: str = "application", name: str = "giay-to.png") -> DossierFile:
    """A PNG really put in the file store, answering `requirement`."""
    data = png_bytes()
    stored = DossierFile(dossier_id=found.id, kind=kind,
                         requirement_id=requirement.id if requirement else None,
                         storage_key=get_file_store().put_bytes(data, "png"),
                         original_name=name, content_type="image/png", size=len(data),
                         sha256="0" * 64)
    db.session.add(stored)
    db.session.flush()
    return stored


def closed_at(found: Dossier, at: datetime) -> Dossier:
    """The event that closed the dossier (into its own status: returned, rejected,
    withdrawn), at a chosen moment."""
    db.session.add(DossierEvent(dossier_id=found.id, action="close", from_status="in_progress",
                                to_status=found.status, actor_kind="officer", at=at))
    db.session.flush()
    return found


def audit(officer_id: int, agency_id: int, what: str, at: datetime, found: Dossier,
          file: DossierFile | None = None) -> AuditEntry:
    entry = AuditEntry(officer_id=officer_id, agency_id=agency_id, what=what, at=at,
                       dossier_id=found.id, file_id=file.id if file else None)
    db.session.add(entry)
    db.session.flush()
    return entry
