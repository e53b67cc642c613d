"""Every back-office write: dossier actions, counter intake, audit entries. Flush only: the
view commits once, so a refused or conflicting action leaves nothing half-written."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import has_request_context, request
from flask_babel import gettext as _

from app.accounts.models import Officer
from app.backoffice.forms import ActionInput, ResultReplacement
from app.backoffice.models import AuditEntry
from app.core.models import utcnow
from app.dossiers import workflow
from app.dossiers.forms import Applicant
from app.dossiers.models import Channel, Dossier, DossierEvent, DossierFile
from app.dossiers.services import submit_dossier
from app.dossiers.workflow import Actor
from app.extensions import db
from app.places.models import Agency, Village
from app.procedures.models import Procedure
from app.results.models import ResultDocument
from app.results.services import issue_result, revoke_result


def record(officer: Officer, what: str, dossier: Dossier | None = None,
           file: DossierFile | None = None, *, agency_id: int | None = None,
           subject: Officer | None = None, changes: dict[str, Any] | None = None
           ) -> AuditEntry:
    """Append one line to the audit trail (the caller's request commits it). Administration
    (app/admin/) names the commune concerned, which for a system admin is not their own, the
    officer changed and the before/after values."""
    entry = AuditEntry(officer_id=officer.id,
                       agency_id=agency_id if agency_id is not None else officer.agency_id,
                       what=what, dossier_id=dossier.id if dossier else None,
                       file_id=file.id if file else None,
                       subject_officer_id=subject.id if subject else None, changes=changes,
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
        for upload in given.uploads:  # only a result move takes files
            issue_result(dossier, upload, officer, at)
        # Always touch the row: a move that changes no column (assigning the same
        # specialist again) must still bump the version and lose to a concurrent one.
        dossier.updated_at = at or utcnow()
        record(officer, f"action:{action}", dossier)
        db.session.flush()
    finally:
        for upload in given.uploads:
            upload.discard()
    return event


def replace_result(officer: Officer, old: ResultDocument, replacement: ResultReplacement,
                   at: datetime | None = None) -> ResultDocument:
    """Issue the next number for the new PDF and revoke the old result with the reason
    (the old one stays on record and on the verification page, as revoked)."""
    dossier = old.dossier
    try:
        new = issue_result(dossier, replacement.upload, officer, at)
        revoke_result(old, replacement.reason, new, at)
        record(officer, "replace_result", dossier, new.file,
               changes={"revoked": old.code, "issued": new.code, "reason": old.revocation_reason})
        db.session.flush()
    finally:
        replacement.upload.discard()
    return new


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
