"""Sign-in throttling with growing delays, per account and per source, in the database.

A hard lock that five wrong passwords trigger is a way for anyone to lock an officer out,
since usernames are easy to guess. Instead, wrong passwords slow the guesser down:

- Every wrong password counts one failure against the name tried, "account:<name>" (the
  name folded as officers' usernames are; unknown names count exactly like real ones, so
  nothing tells them apart), and against the address it came from, "source:<ip>".
- From the FREE_FAILURES-th failure on, a key waits FIRST_DELAY after its last failure,
  doubling with each further failure up to MAX_DELAY. A key with no failure for
  FORGET_AFTER starts again from zero.
- A waiting source is refused outright, whatever name it tries.
- A waiting account is refused only to sources that have failures of their own on record.
  A source with a clean record (the officer's own desk) still has its password checked,
  and the right password gets in: an outsider can slow down their own guessing but never
  lock the officer out. (An attacker with many addresses gets one guess per fresh address,
  after which that address waits too; the per-address request limit still applies.)
- The refusal is the same text for every name, known or not, and is given before any
  password is checked, so its timing says nothing either.
- The account key also counts failures since the officer's last sign-in (never forgotten
  on its own): the next successful sign-in tells the officer, then clears the account key.

The counters are rows, so every app process sees and updates the same ones; one upsert
statement bumps a counter, so concurrent failures are never lost.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import String, case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import Base, utcnow
from app.extensions import db

FREE_FAILURES = 5
FIRST_DELAY = timedelta(seconds=1)
MAX_DELAY = timedelta(minutes=15)
FORGET_AFTER = timedelta(hours=1)
KEY_LENGTH = 120


class LoginThrottle(Base):
    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    # Recent failures, for the delay (restart after FORGET_AFTER without one).
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime]
    next_allowed_at: Mapped[datetime | None]
    # Failures since the account's last successful sign-in, for the officer's notice.
    unseen_failures: Mapped[int] = mapped_column(default=0)


@dataclass(frozen=True)
class Missed:
    count: int
    last_at: datetime


def clock() -> datetime:
    """Now, for the throttle (a test moves it forward instead of waiting)."""
    return utcnow()


def fold(username: str) -> str:
    """The name as officers' usernames are stored (services.find_officer)."""
    return username.strip().lower()


def account_key(username: str) -> str:
    return ("account:" + fold(username))[:KEY_LENGTH]


def source_key(source: str) -> str:
    return ("source:" + (source or "unknown"))[:KEY_LENGTH]


def delay_after(failures: int) -> timedelta:
    """How long a key waits after its last failure, given its count of recent failures."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    steps = failures - FREE_FAILURES
    if steps >= 20:  # far past the cap; keeps the power small
        return MAX_DELAY
    return min(FIRST_DELAY * (2 ** steps), MAX_DELAY)


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes even for timezone-aware columns.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _state(key: str, now: datetime) -> tuple[int, datetime | None]:
    """(recent failures, waiting until) of a key; forgotten failures count as none."""
    row = db.session.execute(
        select(LoginThrottle.failures, LoginThrottle.last_failure_at,
               LoginThrottle.next_allowed_at).where(LoginThrottle.key == key)).first()
    if row is None or _aware(row.last_failure_at) + FORGET_AFTER <= now:
        return 0, None
    return row.failures, _aware(row.next_allowed_at) if row.next_allowed_at else None


def retry_after(username: str, source: str, now: datetime | None = None) -> int | None:
    """Seconds this attempt must wait (the rule in the module docstring), or None."""
    now = now or clock()
    source_failures, source_until = _state(source_key(source), now)
    waits = [source_until] if source_until else []
    if source_failures:
        _failures, account_until = _state(account_key(username), now)
        if account_until:
            waits.append(account_until)
    until = max((w for w in waits if w > now), default=None)
    if until is None:
        return None
    return max(1, math.ceil((until - now).total_seconds()))


def _bump(key: str, now: datetime) -> None:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = LoginThrottle
    first = insert(table).values(key=key, failures=1, last_failure_at=now, unseen_failures=1)
    stmt = first.on_conflict_do_update(
        index_elements=[table.key],
        set_={"failures": case((table.last_failure_at <= now - FORGET_AFTER, 1),
                               else_=table.failures + 1),
              "unseen_failures": table.unseen_failures + 1,
              "last_failure_at": now},
    ).returning(table.failures)
    failures = db.session.execute(stmt).scalar_one()
    wait = delay_after(failures)
    db.session.execute(update(table).where(table.key == key)
                       .values(next_allowed_at=now + wait if wait else None))


def record_failure(username: str, source: str, now: datetime | None = None) -> None:
    """A wrong password (or an unknown or disabled name) from `source`; flush only."""
    now = now or clock()
    _bump(account_key(username), now)
    _bump(source_key(source), now)


def signed_in(username: str) -> Missed | None:
    """The officer signed in: the failures on their name since last time, and a clean slate
    for the name. The source's record stays: a success does not excuse its guesses."""
    key = account_key(username)
    row = db.session.execute(
        select(LoginThrottle.unseen_failures, LoginThrottle.last_failure_at)
        .where(LoginThrottle.key == key)).first()
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))
    if row is None or not row.unseen_failures:
        return None
    return Missed(row.unseen_failures, _aware(row.last_failure_at))


def refusal_message(seconds: int) -> str:
    """The one answer while throttled, the same for every name."""
    return _("Bạn đã thử đăng nhập quá nhiều lần. Vui lòng thử lại sau %(minutes)d phút.",
             minutes=max(1, math.ceil(seconds / 60)))


def missed_message(missed: Missed) -> str:
    return _("Có %(count)d lần đăng nhập sai vào tài khoản của bạn kể từ lần đăng nhập "
             "trước (lần cuối lúc %(time)s). Nếu không phải bạn, hãy báo quản trị viên.",
             count=missed.count, time=format_datetime(missed.last_at, "HH:mm dd/MM/yyyy"))
