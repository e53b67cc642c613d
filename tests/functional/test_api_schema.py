"""openapi.json describes the whole of /api/v1, and the app answers as it says.

Every route under /api/v1 is in the description with its methods; then schemathesis
(property-based, pinned in requirements-dev.txt) generates requests from the description,
valid and invalid, with a fixed seed and a bounded number of examples, and checks that no
answer is a server error and every status, content type and body is the documented one.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest
from flask import Flask

from app.dossiers.api import IDEMPOTENCY_KEY_PATTERN
from app.dossiers.forms import valid_idempotency_key
from app.extensions import limiter

SEED = 20261202
EXAMPLES = 20


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule[len("/api/v1"):])


def test_every_api_route_is_described_with_its_methods(app: Flask, client) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = _openapi_path(rule.rule)
        methods = {m.lower() for m in rule.methods or ()} - {"head", "options"}
        described = set(paths.get(path, {})) & {"get", "post", "put", "patch", "delete"}
        if methods != described:
            missing.append((path, sorted(methods), sorted(described)))
    assert missing == []


def test_limit_and_idempotency_key_are_stated(client) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    limit = next(p for p in paths["/procedures"]["get"]["parameters"] if p["name"] == "limit")
    assert limit["schema"] == {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}
    key = paths["/dossiers"]["post"]["parameters"][0]
    assert key["name"] == "Idempotency-Key" and key["schema"]["pattern"] == \
        IDEMPOTENCY_KEY_PATTERN
    for sample in ("a" * 7, "a" * 8, "a" * 80, "a" * 81, "ab-cd_ef", "ab cd ef g", "ąbcdefgh"):
        assert bool(re.fullmatch(IDEMPOTENCY_KEY_PATTERN[1:-1], sample)) == \
            valid_idempotency_key(sample), sample


def test_405_answers_say_what_is_allowed(client) -> None:
    for path, allowed in (("/api/v1/procedures", {"GET"}), ("/api/v1/dossiers", {"POST"}),
                          ("/api/v1/payments/webhook", {"POST"})):
        response = client.delete(path)
        assert response.status_code == 405
        assert set(response.headers["Allow"].replace(" ", "").split(",")) - {
            "HEAD", "OPTIONS"} == allowed
        assert response.get_json()["error"]["status"] == 405
    page = client.post("/procedures")
    assert page.status_code == 405 and "GET" in page.headers["Allow"]


@pytest.fixture
def schema_app(app: Flask, demo: Any, backend: str, monkeypatch: pytest.MonkeyPatch) -> Flask:
    if backend != "sqlite":
        pytest.skip("the API property run is made once, on SQLite")
    monkeypatch.setattr(limiter, "enabled", False)  # hundreds of requests from one address
    # Configured as in production, so the webhooks answer 401 to strangers, not 503.
    app.config["MOTCUA"] = dataclasses.replace(
        app.config["MOTCUA"], payment_webhook_secrets=("webhook-secret",),
        casso_secure_token="casso-token", sepay_api_key="sepay-key")
    return app


def test_the_app_answers_as_its_description_says(schema_app: Flask) -> None:
    import schemathesis
    from hypothesis.errors import Unsatisfiable
    from schemathesis.checks import not_a_server_error
    from schemathesis.generation import GenerationMode
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [not_a_server_error, status_code_conformance, content_type_conformance,
              response_schema_conformance]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", schema_app)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 11
    for operation in operations:
        # /healthz is at the site root (its own `servers` entry), outside /api/v1.
        base_url = "http://127.0.0.1:5000" if operation.path == "/healthz" else None
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            run = _property(operation.as_strategy(generation_mode=mode), base_url, checks)
            try:
                run()
            except Unsatisfiable:
                # Nothing to make invalid (no parameters, or only a free-form path part).
                assert mode is GenerationMode.NEGATIVE, operation.label
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 (all reported)
                failures.append(f"{operation.label} [{mode.value}]: {exc}"[:2000])
    assert failures == [], "\n\n".join(failures)


def _property(strategy: Any, base_url: str | None, checks: list[Any]) -> Any:
    """One operation's property: every generated request gets a documented answer."""
    from hypothesis import HealthCheck, given, seed, settings

    @seed(SEED)
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck), print_blob=False)
    @given(case=strategy)
    def run(case: Any) -> None:
        case.call_and_validate(base_url=base_url, checks=checks)

    return run
