"""Bank notices in (JSON API): the signed generic webhook and the Casso and SePay adapters.

Each notice is stored once per provider id (INSERT … ON CONFLICT DO NOTHING), matched, and
committed in this request; a replay answers 200 with "duplicate" so the sender stops retrying.
"""

from __future__ import annotations

import json
from typing import Any

from flask import current_app, jsonify, request

from app.api.blueprint import bp
from app.core.errors import render_error
from app.payments import reconcile, webhook
from app.payments.reconcile import BankNotice, CreditOutcome


def _settings() -> Any:
    return current_app.config["MOTCUA"]


def _body() -> tuple[bytes, Any]:
    raw = request.get_data(cache=True)
    try:
        return raw, json.loads(raw or b"null")
    except ValueError:
        raise webhook.BadNotice("body is not JSON") from None


def _refused(err: webhook.WebhookRefused):  # noqa: ANN202
    current_app.logger.warning("payment webhook refused: %s", err)
    return render_error(err.status, None, str(err), code="unauthorized"
                        if err.status == 401 else "not_configured")


def _bad(err: ValueError):  # noqa: ANN202
    return render_error(400, None, str(err), code="bad_notice")


def _record(notices: list[BankNotice]) -> list[CreditOutcome]:
    outcomes = [reconcile.record_credit(n) for n in notices]
    return outcomes


@bp.post("/payments/webhook")
def payment_webhook():  # noqa: ANN201
    try:
        # The signature covers the raw bytes, checked before anything is parsed.
        webhook.verify_signature(request.headers.get("X-Motcua-Signature"),
                                 request.get_data(cache=True),
                                 _settings().payment_webhook_secrets)
        notice = webhook.generic_notice(_body()[1])
    except webhook.WebhookRefused as err:
        return _refused(err)
    except webhook.BadNotice as err:
        return _bad(err)
    (outcome,) = _record([notice])
    return jsonify(status=outcome.outcome, reference=outcome.reference)


@bp.post("/payments/casso")
def casso_webhook():  # noqa: ANN201
    try:
        webhook.verify_token(request.headers.get("Secure-Token"),
                             _settings().casso_secure_token)
        notices = webhook.casso_notices(_body()[1])
    except webhook.WebhookRefused as err:
        return _refused(err)
    except webhook.BadNotice as err:
        return _bad(err)
    outcomes = _record(notices)
    return jsonify(error=0, results=[o.outcome for o in outcomes])


@bp.post("/payments/sepay")
def sepay_webhook():  # noqa: ANN201
    try:
        webhook.verify_token(request.headers.get("Authorization"), _settings().sepay_api_key,
                             scheme="Apikey")
        notice = webhook.sepay_notice(_body()[1])
    except webhook.WebhookRefused as err:
        return _refused(err)
    except webhook.BadNotice as err:
        return _bad(err)
    (outcome,) = _record([notice])
    return jsonify(success=True, status=outcome.outcome), 200
