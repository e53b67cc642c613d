"""Every write to dossiers: submit (idempotent), resubmit, withdraw. Flush only: the request
commits once, and stored files are deleted again if anything fails before the commit."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.core import transaction
from app.core.errors import DomainError
from app.core.models import utcnow
from app.core.text import fold
from app.dossiers import queries, workflow
from app.dossiers.codes import hash_secret, next_dossier_code, tracking_secret
from app.dossiers.filestore import FileStoreUnavailable, get_file_store
from app.dossiers.forms import Applicant, Submission, discard_all, upload_tmp_dir
from app.dossiers.models import Channel, Dossier, DossierEvent, DossierFile, FileKind
from app.dossiers.uploads import CleanUpload
from app.dossiers.workflow import Actor
from app.extensions import db
from app.places.models import Agency, Village
from app.procedures.models import Procedure

MAX_NOTE = 2000


class IdempotencyConflict(DomainError):
    status_code = 409

    def __init__(self) -> None:
        super().__init__(_("Mã gửi này đã được dùng cho một hồ sơ khác"),
                         code="idempotency_conflict")


def request_fingerprint(procedure: Procedure, agency: Agency, village: Village | None,
                        applicant: Applicant, answers: dict[str, Any],
                        uploads: Iterable[tuple[int | None, CleanUpload]]) -> str:
    """sha256 of what the citizen sent, normalised (cleaned files by their sha256): a retry
    of the same request matches; another dossier sent under the same key does not."""
    payload = {
        "procedure": procedure.code,
        "agency": agency.slug,
        "village": village.code if village else None,
        "applicant": applicant.as_dict(),
        "answers": answers,
        "files": [[requirement_id, upload.sha256] for requirement_id, upload in uploads],
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def expected_due_date(procedure: Procedure, now: datetime | None = None) -> date:
    """The date a dossier submitted now would be due if it were received now ("dự kiến")."""
    return workflow.due_date_from(procedure, now or utcnow())


def submit_dossier(procedure: Procedure, agency: Agency, village: Village | None,
                   applicant: Applicant, answers: dict[str, Any],
                   uploads: list[tuple[int | None, CleanUpload]], idempotency_key: str,
                   fingerprint: str, channel: Channel = Channel.ONLINE,
                   ) -> tuple[Dossier, str, bool]:
    """Create the dossier, or find the one this key already made.

    Returns (dossier, tracking secret, created). The same key with another fingerprint
    raises IdempotencyConflict. On any failure the files stored here are deleted again.
    """
    secret = tracking_secret(idempotency_key)
    existing = queries.dossier_by_idempotency_key(idempotency_key)
    if existing is not None:
        discard_all(u for _r, u in uploads)
        return _replay(existing, fingerprint, secret)
    stored: list[str] = []
    try:
        # A savepoint: a concurrent retry with the same key that wins the unique index
        # undoes only this insert, and the request answers as a replay.
        with db.session.begin_nested():
            now = utcnow()
            dossier = Dossier(
                code=next_dossier_code(agency, now),
                procedure=procedure,
                agency=agency,
                village=village,
                applicant_name=applicant.name,
                applicant_name_folded=fold(applicant.name),
                citizen_id_number=applicant.citizen_id,
                applicant_birth_date=applicant.birth_date,
                phone=applicant.phone,
                address=applicant.address,
                answers=answers,
                channel=channel.value,
                tracking_secret_hash=hash_secret(secret),
                idempotency_key=idempotency_key,
                request_fingerprint=fingerprint,
            )
            stored = attach_files(dossier, uploads, FileKind.APPLICATION)
            workflow.apply(dossier, "submit", Actor.citizen(), at=now)
            db.session.add(dossier)
    except IntegrityError:
        delete_stored(stored)
        winner = queries.dossier_by_idempotency_key(idempotency_key)
        if winner is None:
            raise
        return _replay(winner, fingerprint, secret)
    finally:
        discard_all(u for _r, u in uploads)
    return dossier, secret, True


def submit_validated(procedure: Procedure, submission: Submission,
                     uploads: list[tuple[int | None, CleanUpload]], key: str
                     ) -> tuple[Dossier, str, bool]:
    """A validated submission, from the form or the API: created, or found again under its
    idempotency key. Returns (dossier, tracking secret, created)."""
    fingerprint = request_fingerprint(procedure, submission.agency, submission.village,
                                      submission.applicant, submission.answers, uploads)
    return submit_dossier(procedure, submission.agency, submission.village,
                          submission.applicant, submission.answers, uploads, key, fingerprint)


def _replay(dossier: Dossier, fingerprint: str, secret: str) -> tuple[Dossier, str, bool]:
    if dossier.request_fingerprint != fingerprint:
        raise IdempotencyConflict()
    return dossier, secret, False


def attach_files(dossier: Dossier, uploads: Iterable[tuple[int | None, CleanUpload]],
                 kind: FileKind) -> list[str]:
    """Copy each cleaned upload into the file store and return the keys. A stored file is
    deleted again if the transaction that references it is rolled back."""
    store = get_file_store()
    stored: list[str] = []
    for requirement_id, upload in uploads:
        key = store.put_file(upload.path, upload.ext)
        stored.append(key)
        transaction.on_rollback(partial(delete_stored, [key]))
        dossier.files.append(DossierFile(
            requirement_id=requirement_id, kind=kind.value, storage_key=key,
            original_name=(upload.original_name or "")[:200],
            content_type=upload.content_type, size=upload.size, sha256=upload.sha256))
    return stored


def delete_stored(keys: Iterable[str]) -> None:
    """Best effort: a file left behind is found later by `dossiers sweep-files`."""
    store = get_file_store()
    for key in keys:
        try:
            store.delete(key)
        except (OSError, FileStoreUnavailable):
            current_app.logger.warning("could not delete stored file %s", key, exc_info=True)


def resubmit_dossier(dossier: Dossier, uploads: list[CleanUpload], note: str) -> DossierEvent:
    """The citizen answers a supplement request with the missing papers and/or a note."""
    note = (note or "").strip()
    if not uploads and not note:
        raise DomainError(_("Vui lòng chọn ảnh/tệp giấy tờ bổ sung hoặc ghi chú."),
                          code="empty_supplement")
    if len(note) > MAX_NOTE:
        raise DomainError(_("Ghi chú dài quá %(n)s ký tự.", n=MAX_NOTE), code="note_too_long")
    try:
        # The move is checked first: an illegal resubmit stores nothing.
        event = workflow.apply(dossier, "resubmit", Actor.citizen(), note=note,
                               files=len(uploads))
        attach_files(dossier, [(None, u) for u in uploads], FileKind.SUPPLEMENT)
        db.session.flush()
    finally:
        discard_all(uploads)
    return event


def confirm_receipt(dossier: Dossier) -> DossierEvent:
    """"Tôi đã nhận kết quả": the citizen took the electronic result; the dossier is returned
    online (the workflow checks that a result is there and nothing is owed)."""
    event = workflow.apply(dossier, "confirm_receipt", Actor.citizen())
    db.session.flush()
    return event


def withdraw_dossier(dossier: Dossier, reason: str) -> DossierEvent:
    # The reason itself is required by the workflow's table.
    reason = (reason or "").strip()
    if len(reason) > MAX_NOTE:
        raise DomainError(_("Lý do dài quá %(n)s ký tự.", n=MAX_NOTE), code="reason_too_long")
    event = workflow.apply(dossier, "withdraw", Actor.citizen(), note=reason)
    db.session.flush()
    return event


def sweep_orphan_files(older_than: timedelta = timedelta(hours=1),
                       now: float | None = None) -> list[str]:
    """Delete what the file store holds that no row references (and its unfinished
    uploads), and stale temporary upload files; return where each was.

    They come from a crash between writing a file and the commit. Only what is older than
    `older_than` goes: a younger one may belong to a request still in flight.
    """
    referenced = queries.referenced_storage_keys()
    cutoff = (time.time() if now is None else now) - older_than.total_seconds()
    store = get_file_store()
    removed: list[str] = []
    for entry in list(store.entries()):
        if entry.key not in referenced and entry.modified < cutoff:
            store.remove_entry(entry)
            removed.append(entry.label)
    # The uploads being cleaned are always on local disk, whichever store keeps the files.
    for path in upload_tmp_dir().rglob("*"):
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(str(path))
        except FileNotFoundError:
            continue  # deleted meanwhile by the request that owned it
    return removed
