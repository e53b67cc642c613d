"""Bank notices in (JSON API): the signed generic webhook and the Casso and SePay adapters.

Each notice is stored once per provider id (INSERT … ON CONFLICT DO NOTHING), matched, and
committed in this request; a replay answers 200 with "duplicate" so the sender stops retrying.
"""

from __future__ import annotations

import json
from typing import Any

from flask import current_app, jsonify, request

from app.api.blueprint import bp
from app.api.openapi import answer, error_answer, header
from app.core import metrics
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


@bp.errorhandler(webhook.WebhookRefused)
def _refused(err: webhook.WebhookRefused):  # noqa: ANN202
    current_app.logger.warning("payment webhook refused: %s", err)
    metrics.WEBHOOK_REJECTIONS.labels(
        reason="unauthorized" if err.status == 401 else "not_configured").inc()
    return render_error(err.status, None, str(err), code="unauthorized"
                        if err.status == 401 else "not_configured")


@bp.errorhandler(webhook.BadNotice)
def _bad(err: webhook.BadNotice):  # noqa: ANN202
    metrics.WEBHOOK_REJECTIONS.labels(reason="bad_notice").inc()
    return render_error(400, None, str(err), code="bad_notice")


def _record(notices: list[BankNotice]) -> list[CreditOutcome]:
    outcomes = [reconcile.record_credit(n) for n in notices]
    return outcomes


# Each adapter authenticates its sender, then reads its notices; a refused sender or a bad
# notice is answered by the handlers above.

@bp.post("/payments/webhook")
def payment_webhook():  # noqa: ANN201
    # The signature covers the raw bytes, checked before anything is parsed.
    webhook.verify_signature(request.headers.get("X-Motcua-Signature"),
                             request.get_data(cache=True), _settings().payment_webhook_secrets)
    (outcome,) = _record([webhook.generic_notice(_body()[1])])
    return jsonify(status=outcome.outcome, reference=outcome.reference)


@bp.post("/payments/casso")
def casso_webhook():  # noqa: ANN201
    webhook.verify_token(request.headers.get("Secure-Token"), _settings().casso_secure_token)
    outcomes = _record(webhook.casso_notices(_body()[1]))
    return jsonify(error=0, results=[o.outcome for o in outcomes])


@bp.post("/payments/sepay")
def sepay_webhook():  # noqa: ANN201
    webhook.verify_token(request.headers.get("Authorization"), _settings().sepay_api_key,
                         scheme="Apikey")
    (outcome,) = _record([webhook.sepay_notice(_body()[1])])
    return jsonify(success=True, status=outcome.outcome), 200


def openapi_paths() -> dict[str, Any]:
    """This module's part of /api/v1/openapi.json (app/api/openapi.py collects it)."""
    string, number = {"type": "string"}, {"type": ["number", "string"]}
    refused = {"400": error_answer("Malformed body, or a value out of bounds"),
               "401": error_answer("Not signed or not authenticated by a known sender"),
               "503": error_answer("This adapter is not configured")}
    outcome = {"enum": ["matched", "partial", "overpaid", "unmatched", "duplicate", "ignored"]}
    return {
        "/payments/webhook": {"post": {
            "summary": "A bank notice in Motcua's signed format",
            "parameters": [header("X-Motcua-Signature",
                                  {"type": "string",
                                   "pattern": "^t=[0-9]{1,11},v1=[0-9a-fA-F]{64}$"},
                                  "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "
                                  "\"<t>.<raw body>\")>")],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["id", "amount"], "properties": {
                    "id": string, "amount": number, "content": string,
                    "account_number": string, "bank_bin": string,
                    "transaction_time": {"type": "string", "format": "date-time"}}}}}},
            "responses": {"200": answer("Recorded", {
                "type": "object", "required": ["status"],
                "properties": {"status": outcome, "reference": {"type": ["string", "null"]}}}),
                **refused},
        }},
        "/payments/casso": {"post": {
            "summary": "Casso's webhook (Secure-Token header)",
            "parameters": [header("Secure-Token", string)],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["data"], "properties": {
                    "error": {"type": "integer"},
                    "data": {"type": "array", "items": {
                        "type": "object", "required": ["id", "amount"],
                        "properties": {"id": {"type": ["integer", "string"]},
                                       "amount": number, "description": string,
                                       "when": string, "bank_sub_acc_id": string}}}}}}}},
            "responses": {"200": answer("Recorded", {
                "type": "object", "required": ["error", "results"],
                "properties": {"error": {"const": 0},
                               "results": {"type": "array", "items": outcome}}}),
                **refused},
        }},
        "/payments/sepay": {"post": {
            "summary": "SePay's webhook (Authorization: Apikey <key>)",
            "parameters": [header("Authorization", {"type": "string", "pattern": "^Apikey .+$"})],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["id", "transferAmount"], "properties": {
                    "id": {"type": ["integer", "string"]}, "transferAmount": number,
                    "transferType": {"enum": ["in", "out"]}, "content": string,
                    "code": {"type": ["string", "null"]}, "accountNumber": string,
                    "transactionDate": string}}}}},
            "responses": {"200": answer("Recorded", {
                "type": "object", "required": ["success"],
                "properties": {"success": {"const": True}, "status": outcome}}),
                **refused},
        }},
    }
