"""Reads of dossiers: by code, by idempotency key, for tracking, for the phone's list."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.vntime import vietnam_day_start, vietnam_today
from app.dossiers.codes import canonical_code
from app.dossiers.models import Dossier, DossierFile
from app.extensions import db
from app.feedback.models import Counter, Feedback
from app.places.models import Agency, Village
from app.places.queries import select_communes
from app.procedures.models import Procedure


def procedure_for_apply(code: str | None) -> Procedure | None:
    """An active procedure that takes online submissions, or None."""
    if not code:
        return None
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == code))
    if procedure is None or not procedure.active or not procedure.accepts_online:
        return None
    return procedure


def village_by_code(code: str | None) -> Village | None:
    code = (code or "").strip().lower()
    return db.session.scalar(select(Village).where(Village.code == code)) if code else None


def normalize_code(code: str | None) -> str:
    # Codes are read aloud and retyped from a screenshot: ignore case and stray spaces.
    return "".join((code or "").split()).upper()


def dossier_by_code(code: str | None) -> Dossier | None:
    """The dossier of a code as typed: exact, or with spaces, dashes, commas or nothing in
    place of the dots and dashes (codes.canonical_code)."""
    wanted = normalize_code(code)
    if not wanted or len(wanted) > 60:
        return None
    # Stored codes are upper case (codes.next_dossier_code): an exact match uses the index.
    found = db.session.scalar(select(Dossier).where(Dossier.code == wanted))
    if found is not None:
        return found
    meant = canonical_code(code, db.session.scalars(select(Agency.code)))
    if meant is None or meant == wanted:
        return None
    return db.session.scalar(select(Dossier).where(Dossier.code == meant))


def canonical_typed_code(code: str | None) -> str:
    """The code as a QR or a citizen gave it, written the canonical way when it is one."""
    text = (code or "").strip()[:60]
    meant = canonical_code(text, db.session.scalars(select(Agency.code))) if text else None
    return meant or normalize_code(text)


def dossier_by_idempotency_key(key: str) -> Dossier | None:
    return db.session.scalar(select(Dossier).where(Dossier.idempotency_key == key))


def dossier_for_tracking(code: str | None, phone: str) -> Dossier | None:
    """The dossier with this code whose applicant gave this (normalised) phone, or None."""
    dossier = dossier_by_code(code)
    if dossier is None or dossier.phone != phone:
        return None
    return dossier


def dossiers_by_codes(codes: Iterable[str]) -> dict[str, Dossier]:
    wanted = list(codes)
    if not wanted:
        return {}
    rows = db.session.scalars(select(Dossier).where(Dossier.code.in_(wanted)))
    return {d.code: d for d in rows}


def file_of(dossier: Dossier, file_id: int) -> DossierFile | None:
    """The file only if it belongs to this dossier: a guessed id of another one is None."""
    return db.session.scalar(select(DossierFile).where(DossierFile.id == file_id,
                                                       DossierFile.dossier_id == dossier.id,
                                                       DossierFile.erased_at.is_(None)))


def referenced_storage_keys(session: Session | None = None, *,
                            erased: bool = True) -> set[str]:
    """Every key a row holds: dossier files, and the photos of feedback and counters.

    `erased=False` leaves out files erased by the retention schedule (their rows stay, their
    objects are gone): what a backup must copy. `session`: one on a snapshot of its own."""
    session = session or db.session()
    files = select(DossierFile.storage_key)
    if not erased:
        files = files.where(DossierFile.erased_at.is_(None))
    keys = set(session.scalars(files))
    for column in (Feedback.photo_key, Counter.photo_key):
        keys.update(session.scalars(select(column).where(column.is_not(None))))
    return keys


def agencies_for(procedure: Procedure) -> list[Agency]:
    """The communes that take this procedure (every commune if none is linked)."""
    if procedure.agencies:
        return sorted(procedure.agencies, key=lambda a: a.name)
    return list(db.session.scalars(
        select_communes().order_by(Agency.name)))



def bytes_stored_today(phone: str) -> int:
    """What the dossiers of this phone number stored since midnight, Vietnam time."""
    since = vietnam_day_start(vietnam_today())
    total = db.session.scalar(
        select(func.coalesce(func.sum(DossierFile.size), 0))
        .join(Dossier, DossierFile.dossier_id == Dossier.id)
        .where(Dossier.phone == phone, DossierFile.created_at >= since))
    return int(total or 0)


def file_count(dossier: Dossier) -> int:
    if dossier.id is None:
        return 0
    return int(db.session.scalar(select(func.count(DossierFile.id))
                                 .where(DossierFile.dossier_id == dossier.id)) or 0)
