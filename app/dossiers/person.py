"""One check per typed field about a person (name, birth date, address), each raising
IdentityError with the message the form shows. The citizen's form, the counter intake, the
desk's corrections and the hand-over of a result all use these same checks; the ID number
and the phone have theirs in app/core/identity.py."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _

from app.core import parsing
from app.core.identity import IdentityError

MAX_NAME = 200
MAX_ADDRESS = 300


def _text(value: Any) -> str:
    return " ".join(str(value or "").split())


def clean_person_name(value: Any, *, missing: str | None = None) -> str:
    name = _text(value)
    if not name:
        raise IdentityError(missing or _("Vui lòng nhập họ và tên người nộp."))
    if len(name) > MAX_NAME:
        raise IdentityError(_("Họ và tên dài quá 200 ký tự."))
    return name


def clean_address(value: Any) -> str:
    address = _text(value)
    if not address:
        raise IdentityError(_("Vui lòng nhập địa chỉ thường trú."))
    if len(address) > MAX_ADDRESS:
        raise IdentityError(_("Địa chỉ dài quá 300 ký tự."))
    return address


def clean_birth_date(value: Any) -> date | None:
    """Optional: blank is None; otherwise a real past date from 1900 on."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        born = parsing.parse_date(value, minimum=parsing.MIN_BIRTH_DATE,
                                  maximum=parsing.MAX_DATE)
    except parsing.ParseError:
        born = None
    if born is None or born > date.today() or born.year < 1900:
        raise IdentityError(_("Ngày sinh chưa đúng, hãy nhập theo dạng ngày/tháng/năm."))
    return born
