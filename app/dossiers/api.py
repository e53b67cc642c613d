"""JSON API for dossiers: POST /api/v1/dossiers (idempotent) and GET /api/v1/dossiers/<code>."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from flask import Response, current_app, jsonify, request, url_for
from flask_babel import gettext as _

from app.api.blueprint import bp
from app.api.openapi import answer, error_answer, header, ref
from app.core.errors import render_error
from app.core.vntime import to_vietnam_time
from app.dossiers import forms, queries, services, workflow
from app.dossiers.codes import secret_matches
from app.dossiers.models import Dossier
from app.extensions import limiter
from app.pwa.cache_policy import keep_private

# What forms.valid_idempotency_key accepts, as the API description states it.
IDEMPOTENCY_KEY_PATTERN = "^[A-Za-z0-9_-]{8,80}$"

# Form field names → the JSON paths an API client sent them under.
_FIELD_PATHS = {
    "applicant_name": "applicant.name",
    "citizen_id": "applicant.citizen_id",
    "birth_date": "applicant.birth_date",
    "phone": "applicant.phone",
    "address": "applicant.address",
}


def _error(status: int, title: str | None = None, detail: str | None = None,
           code: str | None = None) -> tuple[Response, int]:
    response, status = render_error(status, title, detail, code)
    return keep_private(response), status


def _time(moment: datetime) -> str:
    return to_vietnam_time(moment).isoformat()


def _invalid(fields: dict[str, str], detail: str | None = None) -> tuple[Response, int]:
    paths = {_FIELD_PATHS.get(name, name.replace("answer-", "answers.", 1)): message
             for name, message in fields.items()}
    body = {"error": {"status": 422, "code": "validation",
                      "title": _("Thông tin chưa hợp lệ"),
                      "detail": detail or _("Vui lòng sửa các mục được nêu."),
                      "fields": paths}}
    return keep_private(jsonify(body)), 422


def _tracking_url(dossier: Dossier, secret: str) -> str:
    base = current_app.config["MOTCUA"].public_base_url
    return base + url_for("dossiers.dossier_page", code=dossier.code, t=secret)


def _read_payload() -> dict[str, Any] | None:
    """The `dossier` part: a form field, or a file part sent as application/json."""
    raw: str | bytes | None = request.form.get("dossier")
    if raw is None and "dossier" in request.files:
        raw = request.files["dossier"].read(1024 * 1024)
    if raw is None:
        return None
    try:
        payload = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    return payload if isinstance(payload, dict) else None


@bp.post("/dossiers")
@limiter.limit("60 per minute")
def create_dossier():  # noqa: ANN201
    key = request.headers.get("Idempotency-Key", "")
    if not forms.valid_idempotency_key(key):
        return _error(400, _("Thiếu Idempotency-Key"),
                      _("Gửi header Idempotency-Key (8–80 ký tự: chữ, số, '-' hoặc '_'), tạo "
                        "mới cho mỗi hồ sơ và giữ nguyên khi gửi lại."),
                      code="idempotency_key_required")
    payload = _read_payload()
    if payload is None:
        return _invalid({"dossier": _("Phần “dossier” phải là một đối tượng JSON.")})
    procedure = queries.procedure_for_apply(str(payload.get("procedure_code") or ""))
    if procedure is None:
        return _invalid({"procedure_code": _("Không có thủ tục này hoặc thủ tục chưa nhận hồ "
                                             "sơ trực tuyến.")})
    applicant = payload.get("applicant")
    applicant = applicant if isinstance(applicant, dict) else {}
    answers = payload.get("answers")
    answers = answers if isinstance(answers, dict) else {}
    raw = {"applicant_name": applicant.get("name"), "citizen_id": applicant.get("citizen_id"),
           "birth_date": applicant.get("birth_date"), "phone": applicant.get("phone"),
           "address": applicant.get("address"), "agency": payload.get("agency"),
           "village": payload.get("village"), "consent": payload.get("consent") is True}
    submission, errors = forms.validate_submission(procedure, raw, answers)
    uploads, file_errors = forms.clean_document_uploads(
        procedure, request.files.getlist, forms.phone_of(submission, raw["phone"]))
    errors.update(file_errors)
    if errors or submission is None:
        forms.discard_all(u for _r, u in uploads)
        return _invalid(errors)
    dossier, secret, created = services.submit_validated(procedure, submission, uploads, key)
    body = {
        "code": dossier.code,
        "status": dossier.status,
        "status_label": workflow.status_label(dossier.status),
        "due_date": (dossier.due_date or services.expected_due_date(procedure)).isoformat(),
        "tracking_url": _tracking_url(dossier, secret),
    }
    response = keep_private(jsonify(body))
    response.status_code = 201 if created else 200
    return response


@bp.get("/dossiers/<code>")
@limiter.limit("60 per minute")
def get_dossier(code: str):  # noqa: ANN201
    dossier = queries.dossier_by_code(code)
    # No cookies here: the secret is the only key, and a wrong one looks like no dossier.
    if dossier is None or not secret_matches(request.args.get("t"),
                                             dossier.tracking_secret_hash):
        return _error(404)
    body = {
        "code": dossier.code,
        "procedure": {"code": dossier.procedure.code, "name": dossier.procedure.name},
        "agency": dossier.agency.slug,
        "status": dossier.status,
        "status_label": workflow.status_label(dossier.status),
        "next_step": workflow.next_step(dossier.status),
        "submitted_at": _time(dossier.submitted_at),
        "due_date": dossier.due_date.isoformat() if dossier.due_date else None,
        "expected_due_date": (None if dossier.due_date else
                              services.expected_due_date(dossier.procedure).isoformat()),
        "timeline": [
            {"at": _time(e.at), "action": e.action,
             "action_label": workflow.action_label(e.action),
             "from_status": e.from_status, "to_status": e.to_status,
             "note": e.note if e.action in workflow.CITIZEN_NOTES else ""}
            for e in dossier.events
        ],
    }
    return keep_private(jsonify(body))


def openapi_paths() -> dict[str, Any]:
    """This module's part of /api/v1/openapi.json (app/api/openapi.py collects it)."""
    string, date_ = {"type": "string"}, {"type": "string", "format": "date"}
    created = {"type": "object", "required": ["code", "status", "due_date", "tracking_url"],
               "properties": {
                   "code": {"type": "string", "examples": ["000.31.12.H26-261122-0007"]},
                   "status": string, "status_label": string,
                   "due_date": {**date_, "description": "Expected result date if the dossier "
                                "were received now (working days)"},
                   "tracking_url": {"type": "string", "format": "uri",
                                    "description": "The dossier page; carries the secret"}}}
    invalid = {"allOf": [ref("Error"), {"type": "object", "properties": {"error": {
        "type": "object", "properties": {"fields": {
            "type": "object", "additionalProperties": string,
            "description": "Message per field: applicant.phone, answers.<name>, "
                           "doc-<requirement id>, consent, agency, village, procedure_code"}}}}}]}
    dossier_part = {
        "type": "object", "required": ["procedure_code", "agency", "applicant", "consent"],
        "properties": {
            "procedure_code": string,
            "agency": {"type": "string", "description": "Slug of the receiving commune"},
            "village": {"type": "string", "description": "Village code (optional)"},
            "applicant": {"type": "object", "required": ["name", "citizen_id", "phone",
                                                         "address"],
                          "properties": {"name": string, "citizen_id": string,
                                         "birth_date": date_, "phone": string,
                                         "address": string}},
            "answers": {"type": "object", "description": "The procedure's form_fields by name"},
            "consent": {"const": True,
                        "description": "Explicit consent to personal data processing"},
        },
    }
    event = {"type": "object", "properties": {
        "at": {"type": "string", "format": "date-time"}, "action": string,
        "action_label": string, "from_status": {"type": ["string", "null"]},
        "to_status": string, "note": string}}
    limited = error_answer("More than 60 requests a minute")
    return {
        "/dossiers": {"post": {
            "summary": "Submit a dossier (idempotent)",
            "parameters": [header("Idempotency-Key",
                                  {"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN},
                                  "New for each dossier, the same on every retry "
                                  "(8-80 letters, digits, '-', '_')")],
            "requestBody": {"required": True, "content": {"multipart/form-data": {
                "schema": {"type": "object", "required": ["dossier"], "properties": {
                    "dossier": dossier_part},
                    "additionalProperties": {
                        "type": "string", "format": "binary",
                        "description": "doc-<requirement id>: JPEG, PNG, WebP, HEIC or PDF; "
                                       "repeat the part for several pages"}},
                "encoding": {"dossier": {"contentType": "application/json"}}}}},
            "responses": {
                "201": answer("Created", created),
                "200": answer("The dossier this key already created (a retry)", created),
                "400": error_answer("Missing or malformed Idempotency-Key"),
                "409": error_answer("This key was used for another dossier"),
                "413": error_answer("The request is larger than the dossier cap"),
                "422": answer("Invalid fields", invalid),
                "429": limited,
            },
        }},
        "/dossiers/{code}": {"get": {
            "summary": "A dossier's status and timeline",
            "parameters": [
                {"name": "code", "in": "path", "required": True, "schema": string},
                {"name": "t", "in": "query", "required": True, "schema": string,
                 "description": "The secret from tracking_url"}],
            "responses": {
                "200": answer("The dossier", {"type": "object", "properties": {
                    "code": string, "status": string, "status_label": string,
                    "next_step": string, "agency": string,
                    "procedure": {"type": "object", "properties": {"code": string,
                                                                   "name": string}},
                    "submitted_at": {"type": "string", "format": "date-time"},
                    "due_date": {"type": ["string", "null"], "format": "date"},
                    "expected_due_date": {"type": ["string", "null"], "format": "date"},
                    "timeline": {"type": "array", "items": event}}}),
                "404": error_answer("No such dossier, or the secret does not match"),
                "429": limited,
            },
        }},
    }
