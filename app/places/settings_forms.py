"""The commune settings form: read and check every field, with Vietnamese messages, into a
`CommuneSettings` the service writes. Nothing here touches the database."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from app.places.hours import Hours, parse_hours
from app.procedures.fees import per_units

# Vietnam's territory, islands included (Trường Sa reaches ~6.5° N and ~117.8° E): a
# coordinate outside it is a typo or swapped latitude/longitude.
LATITUDE_RANGE = (6.0, 23.5)
LONGITUDE_RANGE = (102.0, 118.0)
MAX_FEE = 1_000_000_000  # a commune fee is never a billion đồng: a typo
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_SERIES = re.compile(r"[0-9A-Z/.\-]+")
# 8.000 / 8 000 / 8000: Vietnamese writes thousands with a dot.
_DONG = re.compile(r"[0-9]{1,3}([. ][0-9]{3})*|[0-9]+")


@dataclass(frozen=True)
class FeeSlot:
    """One `set_by_province` fee item of one of the commune's procedures, as a form row."""

    procedure_id: int
    procedure_code: str
    procedure_name: str
    index: int
    label: str

    @property
    def prefix(self) -> str:
        return f"fee-{self.procedure_id}-{self.index}"


@dataclass(frozen=True)
class FeeRateInput:
    amount: int
    per: str
    resolution: str


@dataclass
class CommuneSettings:
    name: str
    address: str
    hotline: str
    email: str
    opening_hours: Hours
    latitude: float | None
    longitude: float | None
    receipt_series: str
    # (procedure id, fee label) → the rate, or None to clear it.
    fee_rates: dict[tuple[int, str], FeeRateInput | None] = field(default_factory=dict)


def _text(get: Callable[[str], str | None], name: str) -> str:
    return " ".join((get(name) or "").split())


def _coordinate(raw: str, bounds: tuple[float, float], message: str) -> float | str:
    """A number in bounds, or the message. A comma decimal (21,0285) is accepted."""
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        return message
    if not math.isfinite(value) or not bounds[0] <= value <= bounds[1]:
        return message
    return round(value, 6)


def _position(get: Callable[[str], str | None], errors: dict[str, str]
              ) -> tuple[float | None, float | None]:
    lat_raw, lon_raw = _text(get, "latitude")[:30], _text(get, "longitude")[:30]
    if not lat_raw and not lon_raw:
        return None, None
    if not lat_raw or not lon_raw:
        errors["latitude"] = _("Hãy ghi cả vĩ độ và kinh độ, hoặc để trống cả hai.")
        return None, None
    lat = _coordinate(lat_raw, LATITUDE_RANGE, _(
        "Vĩ độ phải là số từ 6 đến 23,5 (trong lãnh thổ Việt Nam), ví dụ 21,0285."))
    lon = _coordinate(lon_raw, LONGITUDE_RANGE, _(
        "Kinh độ phải là số từ 102 đến 118 (trong lãnh thổ Việt Nam), ví dụ 105,8542."))
    if isinstance(lat, str):
        errors["latitude"] = lat
    if isinstance(lon, str):
        errors["longitude"] = lon
    if isinstance(lat, str) or isinstance(lon, str):
        return None, None
    return lat, lon


def _fee_rate(get: Callable[[str], str | None], slot: FeeSlot,
              errors: dict[str, str]) -> FeeRateInput | None:
    amount_raw = _text(get, f"{slot.prefix}-amount")
    resolution = _text(get, f"{slot.prefix}-resolution")
    per = _text(get, f"{slot.prefix}-per")
    if not amount_raw and not resolution:
        return None
    key = f"{slot.prefix}-amount"
    if not amount_raw:
        errors[key] = _("Hãy ghi số tiền theo Nghị quyết, hoặc để trống cả số tiền và "
                        "Nghị quyết.")
        return None
    if not _DONG.fullmatch(amount_raw) or len(amount_raw) > 15:
        errors[key] = _("Số tiền phải là số đồng chẵn, ví dụ 8.000.")
        return None
    amount = int(re.sub(r"[. ]", "", amount_raw))
    if amount > MAX_FEE:
        errors[key] = _("Số tiền quá lớn: hãy kiểm tra lại.")
        return None
    if not resolution:
        errors[f"{slot.prefix}-resolution"] = _(
            "Hãy ghi số, tên Nghị quyết của HĐND tỉnh quy định mức này, ví dụ Nghị quyết số "
            "12/2024/NQ-HĐND.")
        return None
    if len(resolution) > 200:
        errors[f"{slot.prefix}-resolution"] = _("Tên Nghị quyết dài quá 200 ký tự.")
        return None
    if per and per not in per_units():
        errors[f"{slot.prefix}-per"] = _("Đơn vị tính không hợp lệ.")
        return None
    return FeeRateInput(amount, per, resolution)


def parse_settings(get: Callable[[str], str | None], slots: list[FeeSlot]
                   ) -> tuple[CommuneSettings | None, dict[str, str]]:
    """The settings the form sent, or None and the errors by field (nothing half-saved)."""
    errors: dict[str, str] = {}
    name = _text(get, "name")
    if not name:
        errors["name"] = _("Vui lòng nhập tên xã.")
    elif len(name) > 200:
        errors["name"] = _("Tên xã dài quá 200 ký tự.")
    address = _text(get, "address")
    if len(address) > 300:
        errors["address"] = _("Địa chỉ dài quá 300 ký tự.")
    hotline = _text(get, "hotline")
    digits = re.sub(r"[ .\-()]", "", hotline)
    if hotline and (len(hotline) > 40 or not re.fullmatch(r"(\+84|0)[0-9]{7,10}", digits)):
        errors["hotline"] = _("Số điện thoại đường dây nóng không hợp lệ, ví dụ 024 3382 1234 "
                              "hoặc 0912 345 678.")
    email = _text(get, "email")
    if email and (len(email) > 120 or not _EMAIL.fullmatch(email)):
        errors["email"] = _("Địa chỉ email không hợp lệ, ví dụ motcua.xa@hanoi.gov.vn.")
    hours, hour_errors = parse_hours(get)
    errors.update(hour_errors)
    latitude, longitude = _position(get, errors)
    series = _text(get, "receipt_series").upper()
    if series and (len(series) > 20 or not _SERIES.fullmatch(series)):
        errors["receipt_series"] = _("Ký hiệu biên lai chỉ gồm chữ in hoa không dấu, chữ số "
                                     "và các dấu / - . (tối đa 20 ký tự).")
    rates = {(slot.procedure_id, slot.label): _fee_rate(get, slot, errors) for slot in slots}
    if errors:
        return None, errors
    return CommuneSettings(name, address, hotline, email, hours, latitude, longitude, series,
                           rates), {}


def form_values(agency: Any, rates: dict[tuple[int, str], Any],
                slots: list[FeeSlot]) -> dict[str, str]:
    """The form's inputs filled from what is stored."""
    from app.places.hours import form_values as hour_values
    from app.procedures.fees import format_vnd

    values = {"name": agency.name, "address": agency.address, "hotline": agency.hotline,
              "email": agency.email, "receipt_series": agency.receipt_series,
              "latitude": "" if agency.latitude is None else f"{agency.latitude:.6f}",
              "longitude": "" if agency.longitude is None else f"{agency.longitude:.6f}"}
    values.update(hour_values(agency.opening_hours))
    for slot in slots:
        rate = rates.get((slot.procedure_id, slot.label))
        if rate is not None:
            values[f"{slot.prefix}-amount"] = format_vnd(rate.amount)
            values[f"{slot.prefix}-per"] = rate.per
            values[f"{slot.prefix}-resolution"] = rate.resolution
    return values
