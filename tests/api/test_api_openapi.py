"""The OpenAPI document: public, valid enough for schemathesis, and complete."""

from __future__ import annotations

import re

from tests.api.conftest import API, api_operations


def test_openapi_is_public_and_describes_every_api_route(app, client):
    r = client.get(f"{API}/openapi.json")
    assert r.status_code == 200
    doc = r.get_json()
    assert doc["openapi"] == "3.0.3" and doc["servers"] == [{"url": API}]
    documented = {
        f"{method.upper()} {path}" for path, item in doc["paths"].items() for method in item
    }
    assert documented == api_operations(app)


def test_security_and_errors_are_described(client):
    doc = client.get(f"{API}/openapi.json").get_json()
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": doc["components"]["securitySchemes"]["bearerAuth"]["description"],
    }
    assert doc["security"] == [{"bearerAuth": []}]
    public = {
        f"{m.upper()} {p}"
        for p, item in doc["paths"].items()
        for m, op in item.items()
        if op.get("security") == []
    }
    assert public == {"POST /auth/token", "GET /openapi.json"}
    for path, item in doc["paths"].items():
        for method, op in item.items():
            codes = set(op["responses"])
            assert any(re.fullmatch(r"2\d\d", c) for c in codes), (method, path)
            if f"{method.upper()} {path}" not in public:
                assert "401" in codes, (method, path)
            if method in ("post", "patch") and "requestBody" in op:
                assert "400" in codes and "413" in codes, (method, path)
    error = doc["components"]["schemas"]["Error"]
    assert error["required"] == ["error", "message"]
