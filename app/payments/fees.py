"""The amount a dossier owes, from its procedure's fee items and the citizen's answers."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.procedures.fees import describe_fee

# Kinds whose amount the catalogue cannot give: an officer sets it (province's resolution,
# contract value). A `set_by_province` item becomes computable once the commune has recorded
# its province's amount (procedures.fees.with_province_rates), unless it is `conditional`.
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


def _count(answers: Mapping[str, Any], name: str | None, asked: Collection[str],
           default: int = 1) -> int:
    """A whole number from the answers (the form sends text).

    A quantity the form asks and the citizen left blank is 0: "Số bản sao (để 0 nếu không
    cần)" left empty means no copy, never one billed copy. A quantity the form does not ask
    (or an unreadable answer) is `default`: one case, one copy.
    """
    if not name:
        return default
    raw = answers.get(name)
    if name in asked and (raw is None or not str(raw).strip()):
        return 0
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        return default
    return max(value, 0)


def quote_for(procedure: Any, answers: Mapping[str, Any] | None,
              agency: Any = None) -> FeeQuote:
    """The quote of a dossier of this procedure (its fee items and form fields) at `agency`,
    with the amounts the commune recorded for its province's fees."""
    from app.procedures.queries import fees_for

    items = fees_for(procedure, agency) if agency is not None else procedure.fees or []
    return quote(items, answers or {}, procedure.form_fields or [])


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


def item_amount(item: Mapping[str, Any], answers: Mapping[str, Any],
                asked: Collection[str] = ()) -> int | None:
    """The amount of one fee item for these answers; None when the catalogue cannot say.
    `asked`: the names of the procedure's form fields."""
    kind = item.get("kind")
    if kind == "free":
        return 0
    if kind == "set_by_province" and item.get("amount") is not None:
        # A fee owed only in some cases (registering a birth late): the desk decides.
        if item.get("conditional"):
            return None
        return int(item["amount"]) * _count(answers, item.get("quantity_field"), asked)
    if kind in UNCOMPUTABLE:
        return None
    if kind == "fixed":
        return int(item["amount"]) * _count(answers, item.get("quantity_field"), asked)
    if kind == "per_copy":
        return int(item["amount"]) * _count(answers, item.get("quantity_field") or "copies", asked)
    if kind == "per_page":
        pages = _count(answers, item.get("quantity_field") or "pages", asked)
        copies = _count(answers, item.get("copies_field"), asked)
        return per_page_amount(item, pages) * copies
    return None


def quote(fees: Sequence[Mapping[str, Any]], answers: Mapping[str, Any],
          form_fields: Sequence[Mapping[str, Any]] = ()) -> FeeQuote:
    """The fee lines of a dossier. Free items are left out; an uncomputable one makes the
    quote incomplete (but a "free when on time" + "late fee set by the province" procedure
    still quotes 0 and lets the officer add the late fee)."""
    asked = {str(spec.get("name")) for spec in form_fields}
    lines: list[FeeLine] = []
    complete = True
    for item in fees:
        amount = item_amount(item, answers, asked)
        if amount is None:
            complete = False
            continue
        if amount > 0:
            lines.append(FeeLine(str(item.get("label") or ""), describe_fee(item), amount))
    return FeeQuote(tuple(lines), complete)
