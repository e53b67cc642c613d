"""Every back-office write: dossier actions, counter intake, audit entries. Flush only: the
view commits once, so a refused or conflicting action leaves nothing half-written."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import has_request_context, request
from flask_babel import gettext as _

from app.accounts.models import Officer
from app.backoffice.forms import ActionInput
from app.backoffice.models import AuditEntry
from app.core.models import utcnow
from app.dossiers import workflow
from app.dossiers.forms import Applicant
from app.dossiers.models import Channel, Dossier, DossierEvent, DossierFile, FileKind
from app.dossiers.services import attach_files, submit_dossier
from app.dossiers.workflow import Actor
from app.extensions import db
from app.places.models import Agency, Village
from app.procedures.models import Procedure


def record(officer: Officer, what: str, dossier: Dossier | None = None,
           file: DossierFile | None = None, *, agency_id: int | None = None,
           detail: dict[str, Any] | None = None) -> AuditEntry:
    """Append one line to the audit trail (the caller's request commits it). `agency_id`:
    the commune it concerns when not the officer's own (a system admin's change)."""
    entry = AuditEntry(officer_id=officer.id, agency_id=agency_id or officer.agency_id,
                       what=what, detail=detail,
                       dossier_id=dossier.id if dossier else None,
                       file_id=file.id if file else None,
                       ip=(request.remote_addr or "")[:45] if has_request_context() else "")
    db.session.add(entry)
    return entry


def take_action(dossier: Dossier, action: str, officer: Officer, given: ActionInput,
                at: datetime | None = None) -> DossierEvent:
    """Make one workflow move for an officer, with its files, and audit it. Every rule of
    the move (window, input, fee owed) is checked by workflow.apply.

    A StaleDataError from the flush means another officer moved the dossier first; the
    request rolls back and every file stored here is deleted again.
    """
    try:
        event = workflow.apply(dossier, action, Actor.for_officer(officer), note=given.note,
                               at=at, **given.data)
        if given.uploads:
            attach_files(dossier, [(None, u) for u in given.uploads], FileKind.RESULT)
        # Always touch the row: a move that changes no column (assigning the same
        # specialist again) must still bump the version and lose to a concurrent one.
        dossier.updated_at = at or utcnow()
        record(officer, f"action:{action}", dossier)
        db.session.flush()
    finally:
        for upload in given.uploads:
            upload.discard()
    return event


def receive_at_counter(officer: Officer, procedure: Procedure, village: Village | None,
                       applicant: Applicant, note: str, idempotency_key: str) -> Dossier:
    """A paper dossier handed in at the desk: created and received in one go, so the
    commune's figures cover every dossier, not only the online ones."""
    agency = db.session.get(Agency, officer.agency_id)
    assert agency is not None  # an officer's agency is a foreign key
    dossier, _secret, created = submit_dossier(
        procedure, agency, village, applicant, answers={}, uploads=[],
        idempotency_key=idempotency_key, fingerprint=f"counter:{idempotency_key}",
        channel=Channel.COUNTER)
    if not created:
        return dossier  # the same form sent twice: the first one already did the work
    workflow.apply(dossier, "receive", Actor.for_officer(officer),
                   note=note or _("Nộp trực tiếp tại bộ phận một cửa"))
    record(officer, "action:receive", dossier)
    db.session.flush()
    return dossier
