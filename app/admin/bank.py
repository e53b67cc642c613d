"""The two-person rule for the commune's bank account, the one setting that decides where
every villager's fee goes.

One admin proposes a new account; it takes effect only when a second admin of the commune
(or a system admin) approves it, having seen old and new side by side. The proposer cannot
approve; the proposer may withdraw and another admin may refuse. One proposal is open per
commune at a time (a partial unique index) and it lapses after LIFETIME. Every step is
audited with who proposed, who decided and the old and new values.

Payments keep the account they were issued for (Payment.bank_bin/bank_account), so a QR
code already on a phone still pays the old account and its bank notice still reconciles
(app/payments/reconcile.py); payments issued after approval use the new account.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.accounts.models import Officer
from app.admin import audit, policies
from app.admin.errors import InvalidInput
from app.admin.models import BankAccountChange, ChangeStatus
from app.core.errors import DomainError
from app.core.models import utcnow
from app.core.text import fold
from app.extensions import db
from app.payments.vietqr import BANK_BINS
from app.places.models import Agency

LIFETIME = timedelta(days=3)
ACCOUNT = re.compile(r"\d{6,19}")
MAX_ACCOUNT_NAME = 200
# How long a decision stays in the admins' notices after it was taken.
NOTICE_DAYS = 7


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes even for timezone-aware columns.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def clean_account(bank_bin: str, bank_account: str, bank_account_name: str) -> dict[str, str]:
    """The four Agency fields from what the admin typed; InvalidInput names the field."""
    bank_bin = bank_bin.strip()
    if bank_bin not in BANK_BINS:
        raise InvalidInput(_("Vui lòng chọn ngân hàng trong danh sách."), field="bank_bin")
    account = re.sub(r"[\s.\-]", "", bank_account)
    if not ACCOUNT.fullmatch(account):
        raise InvalidInput(_("Số tài khoản gồm 6–19 chữ số."), field="bank_account")
    # Banks show the holder's name upper-case without accents; so does the citizen's app.
    name = " ".join(fold(bank_account_name).upper().split())
    if not name:
        raise InvalidInput(_("Vui lòng nhập tên chủ tài khoản."), field="bank_account_name")
    if len(name) > MAX_ACCOUNT_NAME:
        raise InvalidInput(_("Tên chủ tài khoản dài quá %(count)d ký tự.",
                             count=MAX_ACCOUNT_NAME), field="bank_account_name")
    return {"bank_bin": bank_bin, "bank_name": BANK_BINS[bank_bin], "bank_account": account,
            "bank_account_name": name}


def current_account(agency: Agency) -> dict[str, str]:
    return {name: getattr(agency, name) for name in BankAccountChange.FIELDS}


def is_open(change: BankAccountChange, now: datetime | None = None) -> bool:
    return (change.status == ChangeStatus.PENDING
            and _aware(change.expires_at) > (now or utcnow()))


def shown_status(change: BankAccountChange, now: datetime | None = None) -> str:
    """A pending proposal past its time reads as expired before anyone writes it so."""
    if change.status == ChangeStatus.PENDING and not is_open(change, now):
        return ChangeStatus.EXPIRED.value
    return change.status


def open_change(agency_id: int, now: datetime | None = None) -> BankAccountChange | None:
    found = db.session.scalar(select(BankAccountChange).where(
        BankAccountChange.agency_id == agency_id,
        BankAccountChange.status == ChangeStatus.PENDING.value))
    return found if found is not None and is_open(found, now) else None


def _lapse_expired(agency_id: int, now: datetime) -> None:
    db.session.execute(update(BankAccountChange).where(
        BankAccountChange.agency_id == agency_id,
        BankAccountChange.status == ChangeStatus.PENDING.value,
        BankAccountChange.expires_at <= now).values(status=ChangeStatus.EXPIRED.value)
        .execution_options(synchronize_session="fetch"))


def _values(change: BankAccountChange) -> dict[str, Any]:
    return {"proposal": change.id, "proposed_by": change.proposed_by.username,
            "before": change.old(), "after": change.new()}


def propose(actor: Officer, agency: Agency, account: dict[str, str], *,
            now: datetime | None = None) -> BankAccountChange:
    now = now or utcnow()
    if not policies.administers(actor, agency.id):
        raise DomainError(_("Bạn không quản trị đơn vị này."), code="not_admin")
    if account == current_account(agency):
        raise InvalidInput(_("Đây đã là tài khoản hiện tại của xã."), field="bank_account")
    _lapse_expired(agency.id, now)
    if open_change(agency.id, now) is not None:
        raise DomainError(_("Xã đang có một đề nghị đổi tài khoản chờ duyệt. Hãy duyệt, từ "
                            "chối hoặc rút đề nghị đó trước."), code="pending_exists")
    change = BankAccountChange(
        agency_id=agency.id, status=ChangeStatus.PENDING.value, proposed_by_id=actor.id,
        proposed_at=now, expires_at=now + LIFETIME,
        **{"old_" + k: v for k, v in current_account(agency).items()},
        **{"new_" + k: v for k, v in account.items()})
    db.session.add(change)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:  # another admin proposed at the same moment
        raise DomainError(_("Xã vừa có một đề nghị đổi tài khoản khác. Hãy tải lại trang."),
                          code="pending_exists") from exc
    audit.bank_change(actor, "propose", agency.id, _values(change))
    return change


def _locked(change: BankAccountChange) -> BankAccountChange:
    return db.session.scalars(
        select(BankAccountChange).where(BankAccountChange.id == change.id).with_for_update()
        .execution_options(populate_existing=True)).one()


def _still_open(change: BankAccountChange, now: datetime) -> BankAccountChange:
    locked = _locked(change)
    if not is_open(locked, now):
        raise DomainError(_("Đề nghị này không còn chờ duyệt (đã được quyết định, đã rút "
                            "hoặc đã hết hạn)."), code="not_pending")
    return locked


# The audit line of each decision.
_DECISION = {ChangeStatus.APPROVED: "approve", ChangeStatus.REFUSED: "refuse",
             ChangeStatus.WITHDRAWN: "withdraw"}


def _decide(actor: Officer, change: BankAccountChange, status: ChangeStatus,
            now: datetime, **extra: str) -> BankAccountChange:
    change.status = status.value
    change.decided_by_id = actor.id
    change.decided_at = now
    audit.bank_change(actor, _DECISION[status], change.agency_id, {**_values(change), **extra})
    db.session.flush()
    return change


def approve(actor: Officer, change: BankAccountChange, *,
            now: datetime | None = None) -> BankAccountChange:
    """The second admin's approval: the commune's account becomes the new one now."""
    now = now or utcnow()
    change = _still_open(change, now)
    if actor.id == change.proposed_by_id:
        raise DomainError(_("Người đề nghị không thể tự duyệt. Cần một quản trị viên khác "
                            "của xã hoặc quản trị hệ thống."), code="same_person")
    if not policies.can_decide_bank_change(actor, change.agency_id, change.proposed_by_id):
        raise DomainError(_("Bạn không quản trị đơn vị này."), code="not_admin")
    agency = db.session.scalars(select(Agency).where(Agency.id == change.agency_id)
                                .with_for_update()).one()
    if current_account(agency) != change.old():
        raise DomainError(_("Tài khoản của xã đã thay đổi từ khi có đề nghị này. Hãy từ chối "
                            "và đề nghị lại."), code="stale")
    for name, value in change.new().items():
        setattr(agency, name, value)
    return _decide(actor, change, ChangeStatus.APPROVED, now, approved_by=actor.username)


def refuse(actor: Officer, change: BankAccountChange, *,
           now: datetime | None = None) -> BankAccountChange:
    now = now or utcnow()
    change = _still_open(change, now)
    if not policies.can_decide_bank_change(actor, change.agency_id, change.proposed_by_id):
        raise DomainError(_("Người đề nghị không tự từ chối được; hãy rút đề nghị."),
                          code="same_person")
    return _decide(actor, change, ChangeStatus.REFUSED, now, refused_by=actor.username)


def withdraw(actor: Officer, change: BankAccountChange, *,
             now: datetime | None = None) -> BankAccountChange:
    now = now or utcnow()
    change = _still_open(change, now)
    if actor.id != change.proposed_by_id:
        raise DomainError(_("Chỉ người đề nghị mới rút được đề nghị."), code="not_proposer")
    return _decide(actor, change, ChangeStatus.WITHDRAWN, now)


def recent_decisions(agency_id: int, now: datetime | None = None) -> list[BankAccountChange]:
    since = (now or utcnow()) - timedelta(days=NOTICE_DAYS)
    return list(db.session.scalars(select(BankAccountChange).where(
        BankAccountChange.agency_id == agency_id,
        BankAccountChange.status.in_([ChangeStatus.APPROVED.value, ChangeStatus.REFUSED.value]),
        BankAccountChange.decided_at >= since).order_by(BankAccountChange.decided_at.desc())))
