"""Dates as people read them: "Thứ Tư, ngày 02/12/2026". The one place every citizen and
hall page formats a calendar day (ISO dates stay for machines: JSON, CSV, <time datetime>)."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.vntime import vietnam_day

# date.weekday(): Monday is 0. Vietnamese counts Monday as the second day ("Thứ Hai").
WEEKDAYS = (_l("Thứ Hai"), _l("Thứ Ba"), _l("Thứ Tư"), _l("Thứ Năm"), _l("Thứ Sáu"),
            _l("Thứ Bảy"), _l("Chủ Nhật"))


def vietnamese_date(day: date | datetime, weekday: bool = True) -> str:
    """'Thứ Tư, ngày 02/12/2026', or '02/12/2026' without the weekday. A moment is shown as
    the Vietnamese calendar day it falls on, whatever the server's time zone."""
    if isinstance(day, datetime):
        day = vietnam_day(day)
    numeric = f"{day.day:02d}/{day.month:02d}/{day.year}"
    if not weekday:
        return numeric
    return _("%(weekday)s, ngày %(date)s", weekday=WEEKDAYS[day.weekday()], date=numeric)


def init_app(app: Flask) -> None:
    app.add_template_filter(vietnamese_date, "vn_date")
