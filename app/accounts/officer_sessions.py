"""Officer sessions kept on the server, so signing out ends them for every app process.

The signed cookie only names a session row (a random id); the row says whether the session
is still live. Flask-Login's own signals drive it: every `login_user` of an officer starts
a row, every `logout_user` ends the current one, and "log out everywhere" ends all of the
officer's rows. A cookie copied before sign-out therefore opens nothing afterwards, on any
process, and no session outlives PERMANENT_SESSION_LIFETIME whatever the cookie says.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, current_app, session
from flask_login import user_logged_in, user_logged_out
from sqlalchemy import ForeignKey, String, delete, or_, update
from sqlalchemy.orm import Mapped, mapped_column

from app.accounts.models import Officer
from app.core.models import Base, utcnow
from app.extensions import db

SESSION_KEY = "officer_session"
# last_seen_at is for the officer's own overview; writing it once in a while is enough.
TOUCH_EVERY = timedelta(minutes=5)


class OfficerSession(Base):
    __tablename__ = "officer_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id", ondelete="CASCADE"),
                                            index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes even for timezone-aware columns.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _lifetime() -> timedelta:
    return current_app.permanent_session_lifetime


def start(officer: Officer) -> OfficerSession:
    """A new live session for the officer, named in this browser's cookie; flush only."""
    now = utcnow()
    # The officer's ended and expired rows are of no further use: the table stays small.
    db.session.execute(delete(OfficerSession).where(
        OfficerSession.officer_id == officer.id,
        or_(OfficerSession.ended_at.is_not(None),
            OfficerSession.created_at < now - _lifetime())))
    row = OfficerSession(id=secrets.token_urlsafe(32), officer_id=officer.id,
                         created_at=now, last_seen_at=now)
    db.session.add(row)
    officer.last_sign_in_at = now
    db.session.flush()
    session[SESSION_KEY] = row.id
    return row


def load(officer_id: int) -> Officer | None:
    """The officer if this browser's session row is theirs and still live, else None."""
    sid = session.get(SESSION_KEY)
    if not isinstance(sid, str) or not sid:
        return None
    row = db.session.get(OfficerSession, sid)
    now = utcnow()
    if (row is None or row.officer_id != officer_id or row.ended_at is not None
            or _aware(row.created_at) + _lifetime() <= now):
        return None
    officer = db.session.get(Officer, officer_id)
    if officer is None or not officer.active:
        return None
    if now - _aware(row.last_seen_at) > TOUCH_EVERY:
        row.last_seen_at = now
    return officer


def end_current() -> None:
    """End the session this browser's cookie names; flush only."""
    sid = session.pop(SESSION_KEY, None)
    if isinstance(sid, str) and sid:
        db.session.execute(update(OfficerSession)
                           .where(OfficerSession.id == sid, OfficerSession.ended_at.is_(None))
                           .values(ended_at=utcnow()))


def end_all(officer: Officer) -> None:
    """"Log out everywhere": every live session of the officer ends; flush only."""
    db.session.execute(update(OfficerSession)
                       .where(OfficerSession.officer_id == officer.id,
                              OfficerSession.ended_at.is_(None))
                       .values(ended_at=utcnow()))


def _logged_in(_sender: Any, user: Any = None, **_extra: Any) -> None:
    if isinstance(user, Officer):
        start(user)


def _logged_out(_sender: Any, user: Any = None, **_extra: Any) -> None:
    if isinstance(user, Officer):
        end_current()


def init_app(app: Flask) -> None:
    user_logged_in.connect(_logged_in, app)
    user_logged_out.connect(_logged_out, app)
