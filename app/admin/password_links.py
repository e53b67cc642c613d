"""One-time links that let an officer choose a password: for a new account and for a reset.

The admin never sees or types the officer's password. The token is 256 random bits shown
once, in the answer to the admin's request; the database keeps its SHA-256 only, so reading
the table opens nothing. A link works once, for LIFETIME, and a newer link replaces older
ones. Setting the password ends the officer's open sessions.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from app.accounts import officer_sessions
from app.accounts.models import Officer
from app.accounts.passwords import hash_password, policy_error
from app.admin import audit, policies
from app.admin.errors import InvalidInput
from app.admin.models import PasswordLink
from app.core.errors import DomainError
from app.core.models import utcnow
from app.extensions import db

LIFETIME = timedelta(hours=24)
MAX_TOKEN = 100  # a longer "token" is not ours: refused before hashing


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes even for timezone-aware columns.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def issue(actor: Officer, target: Officer, *, now: datetime | None = None) -> str:
    """A fresh link token for `target` (older unused links stop working); flush only."""
    if not policies.can_manage_officer(actor, target):
        raise DomainError(_("Bạn không được thay đổi tài khoản này."), code="not_allowed")
    if not target.active:
        raise DomainError(_("Tài khoản đang bị khoá. Hãy mở khoá trước khi cấp liên kết đặt "
                            "mật khẩu."), code="inactive")
    now = now or utcnow()
    db.session.execute(delete(PasswordLink).where(PasswordLink.officer_id == target.id,
                                                  PasswordLink.used_at.is_(None)))
    token = secrets.token_urlsafe(32)
    db.session.add(PasswordLink(officer_id=target.id, token_hash=_digest(token),
                                created_by_id=actor.id, created_at=now,
                                expires_at=now + LIFETIME))
    audit.officer_change(actor, "password_link", target,
                         {"before": {}, "after": {"expires_at": (now + LIFETIME).isoformat()}})
    db.session.flush()
    return token


def find_valid(token: str, *, now: datetime | None = None) -> PasswordLink | None:
    """The unused, unexpired link of an active officer this token opens, else None."""
    if not token or len(token) > MAX_TOKEN:
        return None
    link = db.session.scalar(select(PasswordLink)
                             .where(PasswordLink.token_hash == _digest(token)))
    now = now or utcnow()
    if (link is None or link.used_at is not None or _aware(link.expires_at) <= now
            or not link.officer.active):
        return None
    return link


def redeem(token: str, password: str, confirmation: str, *,
           now: datetime | None = None) -> Officer:
    """Set the officer's password through the link, which is then spent; flush only."""
    now = now or utcnow()
    link = find_valid(token, now=now)
    if link is None:
        raise DomainError(_("Liên kết đặt mật khẩu không đúng, đã dùng hoặc đã hết hạn. Hãy "
                            "xin quản trị viên của xã một liên kết mới."), code="bad_link")
    officer = link.officer
    if (problem := policy_error(password, officer.username)) is not None:
        raise InvalidInput(problem, field="password")
    if password != confirmation:
        raise InvalidInput(_("Hai lần nhập mật khẩu không giống nhau."), field="confirmation")
    # Spent by one statement: of two requests racing with the same link, one wins.
    spent = db.session.execute(update(PasswordLink)
                               .where(PasswordLink.id == link.id, PasswordLink.used_at.is_(None))
                               .values(used_at=now))
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        raise DomainError(_("Liên kết đặt mật khẩu đã được dùng."), code="bad_link")
    officer.password_hash = hash_password(password)
    officer_sessions.end_all(officer)
    audit.officer_change(officer, "password_set", officer, {"before": {}, "after": {}})
    db.session.flush()
    return officer
