"""The API's common ground: the OpenAPI document, local docs, the error contract."""

from __future__ import annotations

import json

import pytest
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


def test_openapi_document_validates(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    validate(spec)  # raises if the document breaks the OpenAPI specification
    assert spec["info"]["title"] == "Jembatan API"
    assert any(path.startswith("/api/v1/reference/") for path in spec["paths"])
    schemes = spec["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_interactive_docs_use_only_local_assets(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html
    for marker in ("cdn.", "unpkg", "jsdelivr"):
        assert marker not in html
    assert "/static/ninja/" in html


def test_unauthenticated_call_gets_the_error_contract(client):
    response = client.get("/api/v1/reference/countries")
    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"code", "message", "detail"}
    assert body["code"] == "unauthenticated"


def test_bad_token_is_refused_with_the_same_contract(client):
    response = client.get("/api/v1/reference/countries", HTTP_AUTHORIZATION="Bearer jbt_00000000_nope")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_unknown_api_path_is_404_json(client, make_user, login):
    login(make_user(roles=["analyst"]))
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404


def test_every_operation_declares_an_error_free_success_schema(client):
    spec = client.get("/api/v1/openapi.json").json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert any(code.startswith("2") for code in operation["responses"]), f"{method} {path} has no success response"
    # The document is stable JSON (what agency systems will diff between versions).
    assert json.loads(json.dumps(spec)) == spec
