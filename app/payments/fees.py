"""The amount a dossier owes, from its procedure's fee items and the citizen's answers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.procedures.fees import describe_fee

# Kinds whose amount the catalogue cannot give: an officer sets it (province's resolution,
# contract value).
UNCOMPUTABLE = frozenset({"set_by_province", "by_value"})


@dataclass(frozen=True)
class FeeLine:
    label: str
    rule: str
    amount: int

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "rule": self.rule, "amount": self.amount}


@dataclass(frozen=True)
class FeeQuote:
    lines: tuple[FeeLine, ...] = field(default_factory=tuple)
    # False when an item's amount is not in the catalogue: the receiving officer sets it.
    complete: bool = True

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)


def _count(answers: Mapping[str, Any], name: str | None, default: int = 1) -> int:
    """A whole number from the answers (the form sends text); `default` when absent or bad."""
    if not name:
        return default
    raw = answers.get(name)
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        return default
    return max(value, 0)


def per_page_amount(item: Mapping[str, Any], pages: int) -> int:
    """One copy's fee under tiered per-page rates (each page at the rate of its tier), capped."""
    tiers = sorted(item.get("tiers") or [{"from_page": 1, "amount": item.get("amount", 0)}],
                   key=lambda t: t["from_page"])
    total = 0
    for page in range(1, pages + 1):
        rate = 0
        for tier in tiers:
            if page >= tier["from_page"]:
                rate = tier["amount"]
        total += rate
    cap = item.get("cap")
    return min(total, cap) if cap else total


def item_amount(item: Mapping[str, Any], answers: Mapping[str, Any]) -> int | None:
    """The amount of one fee item for these answers; None when the catalogue cannot say."""
    kind = item.get("kind")
    if kind == "free":
        return 0
    if kind in UNCOMPUTABLE:
        return None
    if kind == "fixed":
        return int(item["amount"]) * _count(answers, item.get("quantity_field"))
    if kind == "per_copy":
        return int(item["amount"]) * _count(answers, item.get("quantity_field") or "copies")
    if kind == "per_page":
        pages = _count(answers, item.get("quantity_field") or "pages")
        copies = _count(answers, item.get("copies_field"))
        return per_page_amount(item, pages) * copies
    return None


def quote(fees: Sequence[Mapping[str, Any]], answers: Mapping[str, Any]) -> FeeQuote:
    """The fee lines of a dossier. Free items are left out; an uncomputable one makes the
    quote incomplete (but a "free when on time" + "late fee set by the province" procedure
    still quotes 0 and lets the officer add the late fee)."""
    lines: list[FeeLine] = []
    complete = True
    for item in fees:
        amount = item_amount(item, answers)
        if amount is None:
            complete = False
            continue
        if amount > 0:
            lines.append(FeeLine(str(item.get("label") or ""), describe_fee(item), amount))
    return FeeQuote(tuple(lines), complete)
