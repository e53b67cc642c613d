"""Reads for the admin pages: a commune's officers with their sign-in record, an officer's
audit lines, the communes a system admin may pick, a commune's bank account proposals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import or_, select

from app.accounts import throttle
from app.accounts.models import Officer
from app.admin.models import BankAccountChange
from app.backoffice.models import AuditEntry
from app.extensions import db
from app.places.models import Agency


@dataclass(frozen=True)
class SignInRecord:
    last_sign_in_at: datetime | None
    # Wrong passwords on the name since its last successful sign-in (app/accounts/throttle.py).
    failed_attempts: int
    last_failure_at: datetime | None


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def officers_of(agency_id: int) -> list[Officer]:
    return list(db.session.scalars(select(Officer).where(Officer.agency_id == agency_id)
                                   .order_by(Officer.active.desc(), Officer.full_name,
                                             Officer.id)))


def sign_in_records(officers: list[Officer]) -> dict[int, SignInRecord]:
    keys = {throttle.account_key(o.username): o for o in officers}
    rows = {row.key: row for row in db.session.execute(
        select(throttle.LoginThrottle.key, throttle.LoginThrottle.unseen_failures,
               throttle.LoginThrottle.last_failure_at)
        .where(throttle.LoginThrottle.key.in_(list(keys))))} if keys else {}
    out = {}
    for key, officer in keys.items():
        row = rows.get(key)
        out[officer.id] = SignInRecord(_aware(officer.last_sign_in_at),
                                       row.unseen_failures if row else 0,
                                       _aware(row.last_failure_at) if row else None)
    return out


def officer_in(agency_id: int | None, officer_id: int) -> Officer | None:
    found = db.session.get(Officer, officer_id)
    if found is None or (agency_id is not None and found.agency_id != agency_id):
        return None
    return found


def audit_of_officer(officer_id: int, limit: int = 30) -> list[tuple[AuditEntry, Officer]]:
    """What was done to this account, newest first, with who did it."""
    rows = db.session.execute(
        select(AuditEntry, Officer).join(Officer, Officer.id == AuditEntry.officer_id)
        .where(AuditEntry.subject_officer_id == officer_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit))
    return [(entry, actor) for entry, actor in rows]


def agency_by_slug(slug: str) -> Agency | None:
    return db.session.scalar(select(Agency).where(Agency.slug == slug))


def communes() -> list[Agency]:
    return list(db.session.scalars(select(Agency).where(or_(Agency.is_commune,
                                                            Agency.is_province))
                                   .order_by(Agency.name)))


def bank_changes_of(agency_id: int, limit: int = 10) -> list[BankAccountChange]:
    return list(db.session.scalars(select(BankAccountChange)
                                   .where(BankAccountChange.agency_id == agency_id)
                                   .order_by(BankAccountChange.proposed_at.desc(),
                                             BankAccountChange.id.desc()).limit(limit)))


def bank_change_in(agency_id: int | None, change_id: int) -> BankAccountChange | None:
    found = db.session.get(BankAccountChange, change_id)
    if found is None or (agency_id is not None and found.agency_id != agency_id):
        return None
    return found
