"""JSON API for procedures and the OpenAPI description."""

from __future__ import annotations


def test_search_api_shape(client, demo):
    response = client.get("/api/v1/procedures?q=ket+hon")
    assert response.status_code == 200
    body = response.get_json()
    assert body["count"] == len(body["items"]) > 0
    first = body["items"][0]
    assert first["name"] == "Đăng ký kết hôn"
    assert {"code", "name", "field", "online_level", "time_limit_days", "fees",
            "url"} <= set(first)
    assert first["url"].endswith("/procedures/1.000894")
    assert first["fees"] == [{"label": "Lệ phí đăng ký kết hôn", "kind": "free"}]


def test_search_api_field_filter_and_nothing_found(client, demo):
    items = client.get("/api/v1/procedures?field=Chứng thực").get_json()["items"]
    assert items and {i["field"] for i in items} == {"Chứng thực"}
    assert client.get('/api/v1/procedures?q="').get_json() == {"items": [], "count": 0}


def test_procedure_api_has_documents_and_form_fields(client, demo):
    body = client.get("/api/v1/procedures/1.001193").get_json()
    assert body["name"] == "Đăng ký khai sinh"
    assert body["documents"][0]["id"] > 0 and body["documents"][0]["mandatory"] is True
    assert {"name", "label", "type"} <= set(body["form_fields"][0])
    assert body["time_limit_unit"] == "working_days"


def test_unknown_procedure_is_json_404(client, demo):
    response = client.get("/api/v1/procedures/0.000000")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "unknown_procedure"


def test_openapi_lists_the_paths(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"].startswith("3.1")
    assert {"/procedures", "/procedures/{code}", "/villages", "/healthz"} <= set(doc["paths"])
    refs = {ref.rsplit("/", 1)[1] for ref in _refs(doc)}
    assert refs <= set(doc["components"]["schemas"])


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if "$ref" in node else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []
