"""The retention schedule and its sweep: what has outlived its period is deleted or
anonymised, what the law requires to be kept is kept, and the sweep says what it did.

Periods run from a dossier's closing (the event that took it to returned, rejected or
withdrawn); an open dossier is never touched. Every function takes `now`, so a test sets
the clock by passing it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, delete, exists, func, select, update

from app.accounts.officer_sessions import OfficerSession
from app.accounts.throttle import LoginThrottle
from app.backoffice.models import AuditEntry
from app.core.text import fold
from app.core.transaction import after_commit
from app.core.vntime import vietnam_day
from app.dossiers.filestore import FileStore, get_file_store
from app.dossiers.models import Dossier, DossierEvent, DossierFile, DossierStatus, FileKind
from app.extensions import db
from app.feedback.models import Rating
from app.notifications.models import Delivery, PushSubscription, subscription_dossiers
from app.payments.models import BankTransaction
from app.privacy.models import SweepRecord
from app.procedures.models import ProcedureDocument

CLOSED = (DossierStatus.RETURNED.value, DossierStatus.REJECTED.value,
          DossierStatus.WITHDRAWN.value)
# Words naming an identity paper in a procedure's list of documents (folded).
_ID_WORDS = ("can cuoc", "cmnd", "chung minh nhan dan", "ho chieu", "dinh danh")

# The order the sweep reports its counts in.
COUNT_KEYS = ("id_photos", "dossier_files", "personal_fields", "audit_events",
              "push_subscriptions", "login_throttle", "officer_sessions", "payment_records",
              "result_files_kept")


@dataclass
class SweepReport:
    at: datetime
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_KEYS, 0))
    # Storage keys whose content is deleted once the sweep's transaction has committed.
    erased_keys: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [f"{key}: {self.counts[key]}" for key in COUNT_KEYS]


def _closing_moments() -> Any:
    """(dossier_id, closed_at) of every closed dossier: its last event into its status."""
    return (select(DossierEvent.dossier_id, func.max(DossierEvent.at).label("closed_at"))
            .join(Dossier, Dossier.id == DossierEvent.dossier_id)
            .where(Dossier.status.in_(CLOSED), DossierEvent.to_status == Dossier.status)
            .group_by(DossierEvent.dossier_id).subquery())


def _closed_before(cutoff: datetime) -> Select[Any]:
    closing = _closing_moments()
    return select(closing.c.dossier_id).where(closing.c.closed_at < cutoff)


def closed_at(dossier: Dossier) -> datetime | None:
    """When the dossier closed, or None while it is open."""
    if dossier.status not in CLOSED:
        return None
    return db.session.scalar(select(func.max(DossierEvent.at)).where(
        DossierEvent.dossier_id == dossier.id, DossierEvent.to_status == dossier.status))


def id_document_ids() -> set[int]:
    """The catalogue documents that are identity papers (their photos are kept less long)."""
    rows = db.session.execute(select(ProcedureDocument.id, ProcedureDocument.name))
    return {doc_id for doc_id, name in rows if any(w in fold(name) for w in _ID_WORDS)}


def _erase_files(files: list[DossierFile], now: datetime, report: SweepReport) -> None:
    for stored in files:
        stored.erased_at = now
        stored.original_name = ""
        report.erased_keys.append(stored.storage_key)


def anonymise(dossier: Dossier, now: datetime) -> None:
    """Blank what names the applicant; keep what the public figures count (status, dates,
    procedure, commune, village, channel). Flush only."""
    dossier.applicant_name = ""
    dossier.applicant_name_folded = ""
    dossier.citizen_id_number = ""
    dossier.applicant_birth_date = None
    dossier.phone = ""
    dossier.address = ""
    dossier.answers = {}
    dossier.anonymised_at = now
    # Notes may name people. Events and ratings are append-only through the ORM; this bulk
    # update is the one sanctioned rewrite, and it only ever blanks text.
    db.session.execute(update(DossierEvent).where(DossierEvent.dossier_id == dossier.id)
                       .values(note=""), execution_options={"synchronize_session": False})
    db.session.execute(update(Rating).where(Rating.dossier_id == dossier.id)
                       .values(comment=""), execution_options={"synchronize_session": False})


def erase_dossier(dossier: Dossier, now: datetime) -> int:
    """An accepted deletion request: every file but the results, and the personal fields.
    The stored contents go once the request commits. Returns the number of files erased."""
    report = SweepReport(now)
    files = [f for f in dossier.kept_files if f.kind != FileKind.RESULT.value]
    _erase_files(files, now, report)
    anonymise(dossier, now)
    db.session.flush()
    _delete_after_commit(report.erased_keys, get_file_store())
    return len(files)


def hold_reason(dossier: Dossier) -> str | None:
    """Why the law requires this dossier's data to be kept now, or None if it may go."""
    if dossier.status not in CLOSED:
        # Decree 13/2023 Art. 16(2)(b): no deletion of data a state body processes for its
        # lawful work; a dossier being settled needs its applicant's data.
        return _("Hồ sơ đang được giải quyết: thông tin của bạn cần để giải quyết thủ tục "
                 "(Nghị định 13/2023/NĐ-CP, Điều 16, khoản 2, điểm b).")
    if dossier.status == DossierStatus.RETURNED:
        # A settled procedure is a record the commune must archive (Luật Lưu trữ); Motcua
        # keeps it until the schedule's periods run out.
        return _("Hồ sơ đã có kết quả giải quyết thủ tục hành chính, là tài liệu xã phải lưu "
                 "theo quy định về lưu trữ (Nghị định 13/2023/NĐ-CP, Điều 16, khoản 2, "
                 "điểm a và b). Giấy tờ đã tải lên được xoá và thông tin cá nhân được ẩn theo "
                 "thời hạn lưu trữ đã công bố.")
    return None


def planned_dates(dossier: Dossier, retention: Mapping[str, int]) -> dict[str, date]:
    """When the sweep will take each kind of the dossier's data (Vietnam's dates); empty
    while the dossier is open."""
    closed = closed_at(dossier)
    if closed is None:
        return {}
    return {key: vietnam_day(closed + timedelta(days=retention[key]))
            for key in ("id_photos", "dossier_files", "personal_fields")}


def _delete_after_commit(keys: list[str], store: FileStore) -> None:
    if not keys:
        return
    pending = list(keys)

    def _delete() -> None:
        for key in pending:
            try:
                store.delete(key)
            except (OSError, ValueError):
                # The row says erased; a leftover blob is found again by sweep-files.
                current_app.logger.warning("could not delete an expired stored file")

    after_commit(_delete)


def sweep(now: datetime, retention: Mapping[str, int] | None = None,
          store: FileStore | None = None) -> SweepReport:
    """Delete or anonymise everything whose period ended before `now`; record and return
    the counts. Flush only: the caller commits, and the stored files go after the commit."""
    retention = dict(retention or current_app.config["MOTCUA"].retention)
    report = SweepReport(now)
    ids = id_document_ids()

    def expired_files(days: int) -> list[DossierFile]:
        return list(db.session.scalars(
            select(DossierFile).where(
                DossierFile.erased_at.is_(None),
                DossierFile.kind != FileKind.RESULT.value,
                DossierFile.dossier_id.in_(_closed_before(now - timedelta(days=days))))
            .order_by(DossierFile.id)))

    photos = [f for f in expired_files(retention["id_photos"]) if f.requirement_id in ids]
    _erase_files(photos, now, report)
    report.counts["id_photos"] = len(photos)
    others = [f for f in expired_files(retention["dossier_files"])
              if f.requirement_id not in ids]
    _erase_files(others, now, report)
    report.counts["dossier_files"] = len(others)
    # Results are the commune's decisions, archived by law: counted, never erased here.
    report.counts["result_files_kept"] = int(db.session.scalar(
        select(func.count(DossierFile.id)).where(
            DossierFile.erased_at.is_(None), DossierFile.kind == FileKind.RESULT.value,
            DossierFile.dossier_id.in_(_closed_before(now)))) or 0)

    stale = db.session.scalars(select(Dossier).where(
        Dossier.anonymised_at.is_(None),
        Dossier.id.in_(_closed_before(now - timedelta(days=retention["personal_fields"])))))
    for dossier in stale:
        anonymise(dossier, now)
        report.counts["personal_fields"] += 1

    # The audit trail is append-only through the ORM; only its retention deletes it.
    report.counts["audit_events"] = _delete_count(
        delete(AuditEntry).where(AuditEntry.at < now - timedelta(days=retention["audit_events"])))

    open_followed = exists().where(subscription_dossiers.c.subscription_id == PushSubscription.id,
                                   subscription_dossiers.c.dossier_id == Dossier.id,
                                   Dossier.status.not_in(CLOSED))
    subs = list(db.session.scalars(select(PushSubscription.id).where(
        PushSubscription.created_at < now - timedelta(days=retention["push_subscriptions"]),
        ~open_followed)))
    if subs:
        db.session.execute(delete(subscription_dossiers)
                           .where(subscription_dossiers.c.subscription_id.in_(subs)))
        db.session.execute(update(Delivery).where(Delivery.subscription_id.in_(subs))
                           .values(subscription_id=None),
                           execution_options={"synchronize_session": False})
        db.session.execute(delete(PushSubscription).where(PushSubscription.id.in_(subs)),
                           execution_options={"synchronize_session": False})
    report.counts["push_subscriptions"] = len(subs)

    logins = now - timedelta(days=retention["login_records"])
    report.counts["login_throttle"] = _delete_count(
        delete(LoginThrottle).where(LoginThrottle.last_failure_at < logins))
    report.counts["officer_sessions"] = _delete_count(
        delete(OfficerSession).where(OfficerSession.created_at < logins))

    # Amounts and matches stay for the books; the payer's details in the notice go.
    notices = db.session.scalars(select(BankTransaction).where(
        BankTransaction.received_at < now - timedelta(days=retention["payment_records"]),
        BankTransaction.content != ""))
    for notice in notices:
        notice.content = ""
        notice.raw = {}
        report.counts["payment_records"] += 1

    db.session.add(SweepRecord(at=now, counts=dict(report.counts)))
    db.session.flush()
    _delete_after_commit(report.erased_keys, store or get_file_store())
    return report


def _delete_count(statement: Any) -> int:
    result = db.session.execute(statement, execution_options={"synchronize_session": False})
    return int(getattr(result, "rowcount", 0) or 0)
