"""Officer sign-in rules: password check (throttled), TOTP second factor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pyotp

from app.accounts import throttle
from app.accounts.models import Officer
from app.accounts.passwords import dummy_hash, verify_password
from app.accounts.services import find_officer

TOTP_ISSUER = "Motcua"


@dataclass(frozen=True)
class PasswordResult:
    officer: Officer | None
    # Seconds to wait before trying again (app/accounts/throttle.py), when throttled.
    retry_after: int | None = None


def check_password(username: str, password: str, source: str,
                   now: datetime | None = None) -> PasswordResult:
    """Verify a password from `source` (the client's address); flush only.

    No hard lock: wrong passwords earn growing delays per name and per source, the rule in
    app/accounts/throttle.py. While throttled the answer comes before any password check;
    otherwise exactly one argon2 check runs, against a dummy hash for unknown or disabled
    names, so neither the answer nor its time tells a real account from a made-up one.
    """
    now = now or throttle.clock()
    wait = throttle.retry_after(username, source, now)
    if wait is not None:
        return PasswordResult(None, retry_after=wait)
    folded = throttle.fold(username)
    officer = find_officer(folded) if folded else None
    usable = officer is not None and officer.active
    matches = verify_password(officer.password_hash if officer is not None and usable
                              else dummy_hash(), password)
    if usable and matches:
        return PasswordResult(officer)
    throttle.record_failure(username, source, now)
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
