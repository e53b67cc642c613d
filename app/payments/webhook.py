"""Bank notices in: our signed generic format, and adapters for two Vietnamese
bank-notification services, each with its own authentication.

Generic (`POST /api/v1/payments/webhook`): JSON `{id, amount, content, account_number,
bank_bin, transaction_time}` with `X-Motcua-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret,
"<t>.<raw body>")>`; any of Settings.payment_webhook_secrets (PAYMENT_WEBHOOK_SECRET, comma-
separated, so keys rotate without downtime); timestamps more than 300 s away refused.

Casso (`POST /api/v1/payments/casso`), sources: https://casso.vn/tich-hop-webhook-tuy-chinh-vao-casso/
and https://developer.casso.vn/english-v2-new/webhook/thiet-lap-webhook-thu-cong — body
`{"error": 0, "data": [{"id", "tid", "description", "amount", "cusum_balance", "when",
"bank_sub_acc_id"}]}`, the "security key" sent in the `Secure-Token` header
(CASSO_SECURE_TOKEN).

SePay (`POST /api/v1/payments/sepay`), sources: https://developer.sepay.vn/en/sepay-webhooks/bat-dau-nhanh
and https://developer.sepay.vn/en/sepay-webhooks/xac-thuc — body `{"id", "gateway",
"transactionDate", "accountNumber", "code", "content", "transferType": "in"|"out",
"transferAmount", "accumulated", "subAccount", "referenceCode"}`, header
`Authorization: Apikey <key>` (SEPAY_API_KEY); the answer must be `{"success": true}`.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from app.core import parsing
from app.core.vntime import VIETNAM
from app.payments.reconcile import BankNotice

MAX_SKEW = 300
MAX_UNIX_TIME = 10**11  # year 5138: any real t is far below


class WebhookRefused(Exception):
    """The request is not from a sender we trust (or is stale); the message is for logs."""

    def __init__(self, message: str, status: int = 401) -> None:
        super().__init__(message)
        self.status = status


class BadNotice(ValueError):
    """Authentic but unusable body (missing or malformed field)."""


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The X-Motcua-Signature header value for a body (senders and tests use it)."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def verify_signature(header: str | None, body: bytes, secrets: Iterable[str],
                     now: float | None = None) -> None:
    """Raises WebhookRefused unless one of the secrets signed "<t>.<body>" recently."""
    secrets = [s for s in secrets if s]
    if not secrets:
        raise WebhookRefused("no webhook secret is configured", 503)
    if not header:
        raise WebhookRefused("missing X-Motcua-Signature")
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, _sep, value = item.strip().partition("=")
        parts.setdefault(key, []).append(value)
    if "t" not in parts:
        raise WebhookRefused("malformed X-Motcua-Signature")
    # Bounded: a 400-digit t would overflow the float comparison below.
    t = parsing.parse_int(parts["t"][0], minimum=0, maximum=MAX_UNIX_TIME,
                          field="X-Motcua-Signature t")
    if abs((time.time() if now is None else now) - t) > MAX_SKEW:
        raise WebhookRefused("stale timestamp")
    signed = f"{t}.".encode() + body
    expected = [hmac.new(s.encode(), signed, hashlib.sha256).hexdigest() for s in secrets]
    # Every pair is compared, so timing does not tell which secret nearly matched.
    ok = False
    for given in parts.get("v1", []):
        for mac in expected:
            ok |= hmac.compare_digest(given.lower(), mac)
    if not ok:
        raise WebhookRefused("bad signature")


def verify_token(given: str | None, expected: str, scheme: str = "") -> None:
    """A shared token in a header (Casso's Secure-Token, SePay's "Apikey <key>")."""
    if not expected:
        raise WebhookRefused("this adapter is not configured", 503)
    value = (given or "").strip()
    if scheme:
        prefix = scheme + " "
        if not value.lower().startswith(prefix.lower()):
            raise WebhookRefused("missing credentials")
        value = value[len(prefix):].strip()
    if not hmac.compare_digest(value.encode(), expected.encode()):
        raise WebhookRefused("bad credentials")


def _amount(value: Any) -> int:
    """Whole đồng, finite and bounded (NaN, Infinity, 1e400, 1e20 are refused with 400)."""
    if value is None:
        raise BadNotice("amount is required")
    return parsing.parse_amount(value, minimum=-parsing.MAX_AMOUNT,
                                maximum=parsing.MAX_AMOUNT, field="amount")


def _time(value: Any) -> datetime | None:
    """ISO 8601, or "YYYY-MM-DD HH:MM:SS" on Vietnam's clock (what the services send),
    within the app's dates (year 1 or 9999 is refused with 400)."""
    if not value:
        return None
    return parsing.parse_timestamp(value, default_tz=VIETNAM, field="transaction_time")


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value)


def generic_notice(data: Any) -> BankNotice:
    if not isinstance(data, Mapping):
        raise BadNotice("body must be a JSON object")
    ident = _text(data, "id").strip()
    if not ident:
        raise BadNotice("id is required")
    return BankNotice(provider="generic", provider_id=ident, amount=_amount(data.get("amount")),
                      content=_text(data, "content"),
                      account_number=_text(data, "account_number").strip(),
                      bank_bin=_text(data, "bank_bin").strip(),
                      transaction_time=_time(data.get("transaction_time")), raw=dict(data))


def casso_notices(data: Any) -> list[BankNotice]:
    if not isinstance(data, Mapping) or not isinstance(data.get("data"), list):
        raise BadNotice("Casso body must be {error, data: [...]}")
    notices = []
    for item in data["data"]:
        if not isinstance(item, Mapping) or not _text(item, "id"):
            raise BadNotice("each Casso transaction needs an id")
        notices.append(BankNotice(
            provider="casso", provider_id=_text(item, "id"), amount=_amount(item.get("amount")),
            content=_text(item, "description"),
            account_number=_text(item, "bank_sub_acc_id").strip(),
            transaction_time=_time(item.get("when")), raw=dict(item)))
    return notices


def sepay_notice(data: Any) -> BankNotice:
    if not isinstance(data, Mapping) or not _text(data, "id"):
        raise BadNotice("SePay body needs an id")
    amount = _amount(data.get("transferAmount"))
    if _text(data, "transferType") != "in":
        amount = -abs(amount)  # money going out: stored, never a fee
    # SePay may already have cut the payment code out of the content: keep both to match.
    content = " ".join(p for p in (_text(data, "content"), _text(data, "code")) if p)
    return BankNotice(provider="sepay", provider_id=_text(data, "id"), amount=amount,
                      content=content, account_number=_text(data, "accountNumber").strip(),
                      transaction_time=_time(data.get("transactionDate")), raw=dict(data))
