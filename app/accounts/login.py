"""Officer sign-in rules: password check, temporary lock, TOTP second factor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyotp

from app.accounts.models import Officer
from app.accounts.passwords import verify_password
from app.accounts.services import find_officer

MAX_FAILURES = 5
LOCK_MINUTES = 15
TOTP_ISSUER = "Motcua"


@dataclass(frozen=True)
class PasswordResult:
    officer: Officer | None
    locked_until: datetime | None = None


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes even for timezone-aware columns.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def check_password(username: str, password: str, now: datetime | None = None) -> PasswordResult:
    """Verify a password, counting failures; flush only.

    After MAX_FAILURES wrong passwords the account is locked for LOCK_MINUTES: during the
    lock even the right password is refused, so guessing gains nothing.
    """
    now = now or datetime.now(UTC)
    officer = find_officer(username) if username else None
    if officer is None or not officer.active:
        return PasswordResult(None)
    if officer.locked_until and _aware(officer.locked_until) > now:
        return PasswordResult(None, locked_until=_aware(officer.locked_until))
    if verify_password(officer.password_hash, password):
        officer.failed_logins = 0
        officer.locked_until = None
        return PasswordResult(officer)
    officer.failed_logins += 1
    if officer.failed_logins >= MAX_FAILURES:
        officer.failed_logins = 0
        officer.locked_until = now + timedelta(minutes=LOCK_MINUTES)
        return PasswordResult(None, locked_until=officer.locked_until)
    return PasswordResult(None)


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(officer: Officer, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=officer.username, issuer_name=TOTP_ISSUER)


def verify_totp(officer: Officer, code: str, secret: str | None = None,
                now: datetime | None = None) -> bool:
    """Accept the current code (±1 step for clock drift), each time step only once."""
    secret = secret or officer.totp_secret
    code = "".join(ch for ch in code if ch.isdigit())
    if not secret or len(code) != 6:
        return False
    totp = pyotp.TOTP(secret)
    moment = now or datetime.now(UTC)
    step_now = int(moment.timestamp()) // totp.interval
    for step in (step_now - 1, step_now, step_now + 1):
        if officer.totp_last_step is not None and step <= officer.totp_last_step:
            continue
        if pyotp.utils.strings_equal(totp.at(step * totp.interval), code):
            officer.totp_last_step = step
            return True
    return False
