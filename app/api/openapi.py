"""The OpenAPI 3.1 description of /api/v1, served at GET /api/v1/openapi.json.

Each feature describes its paths in one function returning {path: path item}; add yours to
PATH_GROUPS (and its schemas to SCHEMAS) when you add routes to the API.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, jsonify

from app.api.blueprint import bp

JSON = "application/json"


def ref(name: str) -> dict[str, str]:
    """A schema of SCHEMAS, by name."""
    return {"$ref": f"#/components/schemas/{name}"}


def answer(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON response of the given schema (each feature's paths use it too)."""
    return {"description": description, "content": {JSON: {"schema": schema}}}


def error_answer(description: str) -> dict[str, Any]:
    """A refusal, in the one Error shape every /api/v1 refusal has."""
    return answer(description, ref("Error"))


def _query(name: str, description: str, schema: dict[str, Any] | None = None
           ) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}}


def header(name: str, schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    """A required request header (each feature's paths use it too)."""
    param: dict[str, Any] = {"name": name, "in": "header", "required": True}
    if description:
        param["description"] = description
    return {**param, "schema": schema}


_STR = {"type": "string"}
_INT = {"type": "integer"}
_BOOL = {"type": "boolean"}

SCHEMAS: dict[str, dict[str, Any]] = {
    "Error": {
        "type": "object", "required": ["error"],
        "properties": {"error": {"type": "object", "required": ["status", "code", "title"],
                                 "properties": {"status": _INT, "code": _STR,
                                                "title": _STR, "detail": _STR}}},
    },
    "Fee": {
        "type": "object", "required": ["label", "kind"],
        "properties": {
            "label": _STR,
            "kind": {"enum": ["free", "fixed", "per_copy", "per_page", "by_value",
                              "set_by_province"]},
            "amount": {"type": "integer", "description": "VND"},
            "tiers": {"type": "array", "items": {
                "type": "object", "properties": {"from_page": _INT, "amount": _INT}}},
            "cap": _INT, "quantity_field": _STR, "per": _STR, "copies_field": _STR,
            "text": _STR,
            "conditional": {"type": "boolean", "description":
                            "owed only in some cases: never billed automatically"},
            "resolution": {"type": "string", "description":
                           "set_by_province with ?agency=: the province's resolution that set "
                           "`amount`"},
            "province": _STR,
        },
    },
    "ProcedureSummary": {
        "type": "object",
        "required": ["code", "name", "field", "online_level", "time_limit_days", "fees",
                     "url"],
        "properties": {
            "code": {"type": "string", "examples": ["1.001193"]},
            "name": _STR, "field": _STR,
            "online_level": {"enum": ["full", "partial", "none"]},
            "accepts_online": {"type": "boolean", "description":
                               "the dossier can be filed online (full or partial level)"},
            "time_limit_days": {"type": "integer", "description": "0 = same day"},
            "time_limit_unit": {"enum": ["working_days", "calendar_days"]},
            "fees": {"type": "array", "items": ref("Fee")},
            "url": {"type": "string", "format": "uri"},
        },
    },
    "Document": {
        "type": "object", "required": ["id", "name", "copies", "mandatory"],
        "properties": {"id": _INT, "name": _STR, "copies": _INT, "mandatory": _BOOL,
                       "uploadable": _BOOL, "note": _STR,
                       "filled_online": {"type": "boolean", "description":
                                         "a declaration the online form fills: no upload"}},
    },
    "FormField": {
        "type": "object", "required": ["name", "label", "type"],
        "properties": {"name": _STR, "label": _STR,
                       "type": {"enum": ["text", "date", "choice", "number", "checkbox"]},
                       "required": _BOOL, "help": _STR,
                       "choices": {"type": "array", "items": _STR},
                       "min": {"type": "number"}, "max": {"type": "number"}},
    },
    "Procedure": {
        "allOf": [ref("ProcedureSummary"), {
            "type": "object",
            "properties": {
                "name_en": _STR, "time_limit_text": _STR, "result": _STR,
                "documents": {"type": "array", "items": ref("Document")},
                "form_fields": {"type": "array", "items": ref("FormField")},
                "steps": {"type": "array", "items": _STR},
                "legal_basis": {"type": "array", "items": _STR},
                "keywords": {"type": "array", "items": _STR},
                "popularity": _INT, "source": _STR, "notes": _STR,
            },
        }],
    },
    "Village": {
        "type": "object", "required": ["code", "name", "agency", "url"],
        "properties": {
            "code": _STR, "name": _STR,
            "agency": {"type": "object", "properties": {"slug": _STR, "name": _STR,
                                                        "code": _STR}},
            "url": {"type": "string", "format": "uri"},
        },
    },
}


def core_paths() -> dict[str, Any]:
    # /healthz lives at the site root, outside /api/v1.
    site = current_app.config["MOTCUA"].public_base_url
    return {"/healthz": {"servers": [{"url": site}], "get": {
        "summary": "Health check: the app and its database answer",
        "responses": {
            "200": answer("Healthy", {"type": "object", "properties": {"status": {"const": "ok"}}}),
            "503": answer("The database does not answer",
                       {"type": "object", "properties": {"status": _STR}}),
        },
    }}}


def places_paths() -> dict[str, Any]:
    return {"/villages": {"get": {
        "summary": "Villages (thôn, tổ dân phố) and their commune",
        "parameters": [_query("agency", "Only the villages of this commune (its slug)")],
        "responses": {
            "200": answer("The villages", {"type": "object", "required": ["items"],
                                        "properties": {"items": {"type": "array",
                                                                 "items": ref("Village")}}}),
            "404": error_answer("Unknown commune"),
        },
    }}}


# What app/core/replica.py means for the callers of these endpoints.
REPLICA_NOTE = ("Read from the deployment's read replica when it has one, so a change may "
                "take a few seconds to show.")


def procedures_paths() -> dict[str, Any]:
    rate_limited = error_answer("More than 60 requests a minute")
    return {
        "/procedures": {"get": {
            "summary": "Search the procedure catalogue (accent- and case-insensitive)",
            "description": REPLICA_NOTE,
            "parameters": [
                _query("q", "Words of the name, keywords or documents; the last word may "
                            "be a prefix. Empty: every procedure, most common first."),
                _query("field", "Only this field (lĩnh vực), e.g. Hộ tịch"),
                _query("limit", "At most this many items (1-200, default 50); anything else "
                                "is a 400", {"type": "integer", "minimum": 1,
                                             "maximum": 200, "default": 50}),
            ],
            "responses": {
                "200": answer("Matching procedures, best first", {
                    "type": "object", "required": ["items", "count"],
                    "properties": {"items": {"type": "array",
                                             "items": ref("ProcedureSummary")},
                                   "count": _INT}}),
                "400": error_answer("limit is not a whole number from 1 to 200"),
                "429": rate_limited,
            },
        }},
        "/procedures/{code}": {"get": {
            "summary": "One procedure with its documents and form fields",
            "parameters": [{"name": "code", "in": "path", "required": True,
                            "description": "National procedure code, e.g. 1.001193",
                            "schema": _STR},
                           _query("agency", "A commune's slug: its fees, with the amounts "
                                  "its province's resolution set")],
            "responses": {"200": answer("The procedure", ref("Procedure")),
                          "404": error_answer("Unknown procedure code or commune"),
                          "429": rate_limited},
        }},
    }


def dossiers_paths() -> dict[str, Any]:
    from app.dossiers.api import openapi_paths

    return openapi_paths()


def description_paths() -> dict[str, Any]:
    return {"/openapi.json": {"get": {
        "summary": "This description of the API (OpenAPI 3.1)",
        "responses": {"200": answer("The OpenAPI document", {
            "type": "object", "required": ["openapi", "info", "paths"],
            "properties": {"openapi": _STR, "info": {"type": "object"},
                           "paths": {"type": "object"}}})},
    }}}


def push_paths() -> dict[str, Any]:
    return {"/push/key": {"get": {
        "summary": "The server's VAPID public key, the browser's applicationServerKey",
        "responses": {"200": answer("The key", {
            "type": "object", "required": ["public_key"],
            "properties": {"public_key": {
                "type": "string", "pattern": "^[A-Za-z0-9_-]{87}$",
                "description": "base64url of the uncompressed P-256 point"}}})},
    }}}


def stats_paths() -> dict[str, Any]:
    figures = {"type": "object", "additionalProperties": True,
               "properties": {"finished": _INT, "rated": _INT,
                              "timely_share": {"type": ["number", "null"]},
                              "online_share": {"type": ["number", "null"]},
                              "satisfaction": {"type": ["number", "null"]}}}
    return {"/stats/{slug}": {"get": {
        "summary": "A commune's or a province's public figures for a year",
        "description": REPLICA_NOTE,
        "parameters": [
            {"name": "slug", "in": "path", "required": True, "schema": _STR,
             "description": "The commune's or province's slug"},
            _query("year", "The year (2000 to this year; default this year)",
                   {"type": "integer", "minimum": 2000, "maximum": 2100})],
        "responses": {
            "200": answer("The figures", {
                "type": "object", "required": ["agency", "year", "total"],
                "properties": {
                    "agency": {"type": "object", "properties": {
                        "slug": _STR, "name": _STR, "kind": _STR}},
                    "year": _INT, "as_of": {"type": "string", "format": "date"},
                    "total": figures, "running": _INT, "overdue_now": _INT,
                    "paid_online_share": {"type": ["number", "null"]},
                    "by_month": {"type": "array", "items": figures},
                    "by_field": {"type": "array", "items": figures},
                    "communes": {"type": "array", "items": figures}}}),
            "400": error_answer("year is not a whole number, or not from 2000 to this year"),
            "404": error_answer("No commune or province with this slug"),
        },
    }}}


def payments_paths() -> dict[str, Any]:
    from app.payments.api import openapi_paths

    return openapi_paths()


def queues_paths() -> dict[str, Any]:
    from app.queues.api import openapi_paths

    return openapi_paths()


PATH_GROUPS: list[Callable[[], dict[str, Any]]] = [
    core_paths, description_paths, places_paths, procedures_paths, dossiers_paths,
    push_paths, stats_paths, payments_paths, queues_paths]


def openapi_document() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for group in PATH_GROUPS:
        paths.update(group())
    base = current_app.config["MOTCUA"].public_base_url
    return {
        "openapi": "3.1.0",
        "info": {"title": "Motcua API", "version": "1",
                 "description": "Commune one-stop public services: villages, procedures, "
                                "dossiers, statistics, web push, bank notices and queue "
                                "numbers. Every error answer has the Error shape; a 405 "
                                "carries Allow."},
        "servers": [{"url": f"{base}/api/v1"}],
        "paths": paths,
        "components": {"schemas": SCHEMAS},
    }


@bp.get("/openapi.json")
def openapi():  # noqa: ANN201
    return jsonify(openapi_document())
