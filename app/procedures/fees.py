"""Plain Vietnamese descriptions of a procedure's fee items and time limit, for citizens."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import gettext as _

FEE_KINDS = ("free", "fixed", "per_copy", "per_page", "by_value", "set_by_province")


def format_vnd(amount: int) -> str:
    """8000 → '8.000' (Vietnamese thousands separator)."""
    return f"{int(amount):,}".replace(",", ".")


def per_units() -> dict[str, str]:
    """The units a fee may be counted in (`per`), with their Vietnamese names."""
    return {"copy": _("bản"), "page": _("trang"), "case": _("trường hợp"),
            "signature": _("chữ ký"), "contract": _("hợp đồng")}


def _per_unit(per: str | None) -> str:
    """The '/bản' suffix for a fee's optional `per` unit."""
    unit = per_units().get(per or "")
    return f"/{unit}" if unit else ""


def with_province_rates(fees: Sequence[Mapping[str, Any]], rates: Mapping[str, Any],
                        province: str = "") -> list[dict[str, Any]]:
    """The fee items with the amounts a commune recorded for its province's resolution.

    `rates` maps a `set_by_province` item's label to its ProvinceFeeRate (amount, per,
    resolution); items without one keep the general wording. `province` is the province's
    name, for "theo Nghị quyết số …/NQ-HĐND tỉnh …".
    """
    out: list[dict[str, Any]] = []
    for item in fees:
        rate = rates.get(str(item.get("label"))) if item.get("kind") == "set_by_province" \
            else None
        resolved = dict(item)
        if rate is not None:
            resolved.update(amount=int(rate.amount), resolution=rate.resolution,
                            province=province)
            if rate.per:
                resolved["per"] = rate.per
        out.append(resolved)
    return out


def _province_rate(item: Mapping[str, Any]) -> str:
    """'8.000 đồng/bản (theo Nghị quyết số 12/2024/NQ-HĐND tỉnh Khánh Hòa)'."""
    text = _("%(amount)s đồng", amount=format_vnd(item["amount"])) + _per_unit(item.get("per"))
    resolution = str(item.get("resolution") or "").strip()
    if not resolution:
        return text
    province = str(item.get("province") or "").strip()
    # "Tỉnh Khánh Hòa" is a name; inside a sentence Vietnamese writes "tỉnh Khánh Hòa".
    province = province[:1].lower() + province[1:] if province else ""
    source = f"{resolution} {province}".strip()
    return text + " " + _("(theo %(resolution)s)", resolution=source)


def _per_page(item: Mapping[str, Any]) -> str:
    tiers = sorted(item.get("tiers") or [], key=lambda t: t["from_page"])
    if not tiers and "amount" in item:
        tiers = [{"from_page": 1, "amount": item["amount"]}]
    parts = []
    for tier in tiers:
        amount = format_vnd(tier["amount"])
        if tier["from_page"] <= 1:
            parts.append(_("%(amount)s đồng/trang", amount=amount))
        else:
            parts.append(_("từ trang thứ %(page)d trở đi %(amount)s đồng/trang",
                           page=tier["from_page"], amount=amount))
    text = "; ".join(parts)
    if item.get("cap"):
        text += ", " + _("tối đa %(amount)s đồng", amount=format_vnd(item["cap"])) + _per_unit(
            item.get("per") or "copy")
    return text


def describe_fee(item: Mapping[str, Any]) -> str:
    """One fee item as a citizen reads it: 'Miễn lệ phí', '8.000 đồng/bản', ..."""
    kind = item.get("kind")
    if kind == "free":
        return _("Miễn lệ phí")
    if kind == "fixed":
        return _("%(amount)s đồng", amount=format_vnd(item["amount"])) + _per_unit(
            item.get("per"))
    if kind == "per_copy":
        return _("%(amount)s đồng/bản", amount=format_vnd(item["amount"]))
    if kind == "per_page":
        return _per_page(item)
    if kind == "by_value":
        return item.get("text") or _("Tính theo giá trị hợp đồng, giao dịch")
    if kind == "set_by_province":
        if item.get("amount") is not None:
            return _province_rate(item)
        return _("Theo mức do Hội đồng nhân dân tỉnh, thành phố quy định")
    return item.get("text") or ""


def fee_summary(fees: Sequence[Mapping[str, Any]]) -> str:
    """The short line a result card shows: the main (first) fee item."""
    if not fees:
        return _("Miễn phí")
    return describe_fee(fees[0])


def describe_time_limit(days: int, unit: str = "working_days") -> str:
    """'Trong ngày', '3 ngày làm việc' or, for calendar-day limits, '30 ngày'."""
    if days == 0:
        return _("Trong ngày")
    if unit == "calendar_days":
        return _("%(days)d ngày", days=days)
    return _("%(days)d ngày làm việc", days=days)
