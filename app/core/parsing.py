"""The one set of bounded parsers for every number and date that enters the app.

Each parser takes what the outside sent (query text, form text, JSON values) and returns a
value inside stated bounds, or raises ParseError with a message for the user. The error
handlers (app/core/errors.py) answer ParseError with 400: JSON under /api/, a page
elsewhere. Nothing unbounded gets further: no NaN or infinity, no amount a BIGINT cannot
hold, no date whose neighbour overflows (9999-12-31 + 1 day), no 400-digit timestamp.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _

# Dates the app works with: dossiers, filters, reports, bank notices.
MIN_DATE = date(2000, 1, 1)
MAX_DATE = date(2100, 12, 31)
# Birth dates reach further back.
MIN_BIRTH_DATE = date(1900, 1, 1)
# A fee, a refund, a bank transfer: well under a BIGINT, and no real one comes near.
MAX_AMOUNT = 10**12
# Longest text a number may be written with (a timestamp of 400 digits never gets parsed).
MAX_NUMBER_CHARS = 24
_INT = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]{1,3})?")


class ParseError(ValueError):
    """A value from outside is malformed or out of bounds; `message` is for the user."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _label(field: str | None) -> str:
    return field or _("giá trị")


def parse_int(value: Any, *, minimum: int, maximum: int, field: str | None = None) -> int:
    """A whole number written in digits (an int from JSON, or text), within the bounds."""
    if isinstance(value, bool):
        raise ParseError(_("%(field)s phải là số nguyên.", field=_label(field)), field=field)
    if isinstance(value, int):
        number = value
    else:
        text = str(value if value is not None else "").strip()
        if len(text) > MAX_NUMBER_CHARS or not _INT.fullmatch(text):
            raise ParseError(_("%(field)s phải là số nguyên.", field=_label(field)),
                             field=field)
        number = int(text)
    if not minimum <= number <= maximum:
        raise ParseError(_("%(field)s phải từ %(min)s đến %(max)s.", field=_label(field),
                           min=minimum, max=maximum), field=field)
    return number


def parse_amount(value: Any, *, minimum: int = 0, maximum: int = MAX_AMOUNT,
                 field: str | None = None) -> int:
    """Whole đồng: a finite number (JSON number or decimal text), integral, within bounds."""
    label = field or _("Số tiền")
    if isinstance(value, bool) or value is None:
        raise ParseError(_("%(field)s phải là một số.", field=label), field=field)
    if isinstance(value, float) and not math.isfinite(value):
        raise ParseError(_("%(field)s phải là một số hữu hạn.", field=label), field=field)
    if isinstance(value, int):
        amount = Decimal(value)
    else:
        text = str(value).strip()
        if len(text) > MAX_NUMBER_CHARS or not _DECIMAL.fullmatch(text):
            raise ParseError(_("%(field)s phải là một số.", field=label), field=field)
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ParseError(_("%(field)s phải là một số.", field=label),
                             field=field) from None
    if not amount.is_finite():
        raise ParseError(_("%(field)s phải là một số hữu hạn.", field=label), field=field)
    if not Decimal(minimum) <= amount <= Decimal(maximum):
        low, high = (f"{n:,}".replace(",", ".") for n in (minimum, maximum))
        raise ParseError(_("%(field)s phải từ %(min)s đến %(max)s đồng.", field=label,
                           min=low, max=high), field=field)
    if amount != amount.to_integral_value():
        raise ParseError(_("%(field)s phải là số đồng chẵn.", field=label), field=field)
    return int(amount)


def parse_date(value: Any, *, minimum: date = MIN_DATE, maximum: date = MAX_DATE,
               field: str | None = None) -> date:
    """ISO (what <input type=date> sends) or dd/mm/yyyy (what people type), within bounds."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        day = value
    else:
        text = str(value if value is not None else "").strip()
        try:
            if len(text) > 10:
                raise ValueError(text)
            if "/" in text:
                d, m, y = (int(p) for p in text.split("/"))
                day = date(y, m, d)
            else:
                day = date.fromisoformat(text)
        except ValueError:
            raise ParseError(_("%(field)s không phải ngày hợp lệ (ngày/tháng/năm).",
                               field=_label(field)), field=field) from None
    if not minimum <= day <= maximum:
        raise ParseError(_("%(field)s phải trong khoảng %(min)s đến %(max)s.",
                           field=_label(field), min=minimum.strftime("%d/%m/%Y"),
                           max=maximum.strftime("%d/%m/%Y")), field=field)
    return day


def parse_month(value: Any, *, minimum: date = MIN_DATE, maximum: date = MAX_DATE,
                field: str | None = None) -> date:
    """'2026-03' → 1 March 2026, within the bounds."""
    text = str(value if value is not None else "").strip()
    match = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})", text)
    try:
        if match is None:
            raise ValueError(text)
        month = date(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        raise ParseError(_("%(field)s không phải tháng hợp lệ (năm-tháng, ví dụ 2026-03).",
                           field=_label(field)), field=field) from None
    if not minimum.replace(day=1) <= month <= maximum:
        raise ParseError(_("%(field)s phải trong khoảng %(min)s đến %(max)s.",
                           field=_label(field), min=minimum.strftime("%m/%Y"),
                           max=maximum.strftime("%m/%Y")), field=field)
    return month


def parse_timestamp(value: Any, *, default_tz: tzinfo = UTC, minimum: date = MIN_DATE,
                    maximum: date = MAX_DATE, field: str | None = None) -> datetime:
    """An ISO 8601 moment ('Z' accepted; without an offset, on `default_tz`), in UTC."""
    text = str(value if value is not None else "").strip()
    try:
        if len(text) > 40:
            raise ValueError(text)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ParseError(_("%(field)s không phải thời điểm hợp lệ.", field=_label(field)),
                         field=field) from None
    if not minimum <= moment.date() <= maximum:
        raise ParseError(_("%(field)s phải trong khoảng %(min)s đến %(max)s.",
                           field=_label(field), min=minimum.strftime("%d/%m/%Y"),
                           max=maximum.strftime("%d/%m/%Y")), field=field)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=default_tz)
    return moment.astimezone(UTC)


def parse_unix_time(value: Any, *, field: str | None = None) -> int:
    """Seconds since 1970 within the app's dates (a signature's `t=`)."""
    lo = int(datetime.combine(MIN_DATE, datetime.min.time(), UTC).timestamp())
    hi = int(datetime.combine(MAX_DATE, datetime.max.time(), UTC).timestamp())
    return parse_int(value, minimum=lo, maximum=hi, field=field)
