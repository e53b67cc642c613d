"""Password hashing with argon2id, and the password policy every way of setting one obeys."""

from __future__ import annotations

import functools
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _

_hasher = PasswordHasher()

MIN_LENGTH = 10
# argon2 hashes any length, but a megabyte "password" is a way to burn CPU.
MAX_LENGTH = 200


def policy_error(password: str, username: str = "") -> str | None:
    """Why this password is not acceptable (a Vietnamese sentence), or None."""
    if len(password) < MIN_LENGTH:
        return _("Mật khẩu cần ít nhất %(count)d ký tự.", count=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Mật khẩu dài quá %(count)d ký tự.", count=MAX_LENGTH)
    if username and username.strip().lower() in password.lower():
        return _("Mật khẩu không được chứa tên đăng nhập.")
    return None


def unusable_hash() -> str:
    """For an account whose owner has not chosen a password yet: no password matches."""
    return _hasher.hash(secrets.token_urlsafe(32))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def dummy_hash() -> str:
    """A hash with the real parameters that no password matches: checking a name that has
    no account against it costs the same time as checking a real account."""
    return _hasher.hash(secrets.token_urlsafe(32))
