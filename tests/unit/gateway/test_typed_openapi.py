"""The gateway's OpenAPI document types every route: request and answer schemas from the
owning service (via upstream_openapi.json, which must match the services), errors as
problem+json."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from affbill_gateway.domain.routes import API, FORWARDED
from affbill_gateway.entrypoints.app import create_app
from affbill_gateway.entrypoints.typed_routes import upstream_operation
from tools import upstream_openapi


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return create_app().openapi()


def _operations(doc: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(m.upper(), p): op for p, item in doc["paths"].items() for m, op in item.items()
            if p.startswith(API)}


def _resolved(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def test_the_services_operations_the_gateway_carries_are_up_to_date() -> None:
    assert upstream_openapi.SNAPSHOT.read_text() == upstream_openapi.text(), (
        "a service's routes or models changed: run `make openapi`")


def test_every_forwarded_route_has_its_services_operation() -> None:
    missing = [f"{r.method} {r.path} → {r.upstream} {r.upstream_path}" for r in FORWARDED
               if upstream_operation(r) is None]
    assert not missing


def test_every_answer_has_a_schema(doc: dict[str, Any]) -> None:
    for (method, path), op in _operations(doc).items():
        answers = {c: a for c, a in op["responses"].items() if c.startswith("2")}
        assert answers, (method, path)
        for code, answer in answers.items():
            if code == "204":
                continue
            [(media, content)] = answer["content"].items()
            schema = _resolved(doc, content["schema"])
            if media == "application/json":
                assert schema.get("type") in ("object", "array"), (method, path, schema)
                assert schema.get("properties") or schema.get("items"), (method, path)
            else:
                assert schema == {"type": "string", "format": "binary"}, (method, path)


def test_request_bodies_are_the_services_models(doc: dict[str, Any]) -> None:
    for (method, path), op in _operations(doc).items():
        if method in ("POST", "PATCH") and "requestBody" in op:
            schema = op["requestBody"]["content"]["application/json"]["schema"]
            schema = schema.get("anyOf", [schema])[0]  # an optional body: the model or null
            assert _resolved(doc, schema).get("properties"), (method, path)
    untyped = [p for (m, p), op in _operations(doc).items() if m in ("POST", "PATCH")
               and op.get("requestBody", {}).get("content", {}).get("application/json", {})
               .get("schema", {}).get("type") == "object"]
    assert not untyped


def test_errors_are_problems(doc: dict[str, Any]) -> None:
    for (method, path), op in _operations(doc).items():
        errors = {c: a for c, a in op["responses"].items() if not c.startswith("2")}
        assert {"401", "403", "404", "422", "502", "default"} <= set(errors), (method, path)
        for answer in errors.values():
            assert list(answer["content"]) == ["application/problem+json"], (method, path)
    assert "HTTPValidationError" not in doc["components"]["schemas"]


def test_query_parameters_are_typed(doc: dict[str, Any]) -> None:
    params = {p["name"]: p["schema"] for p in
              _operations(doc)[("GET", API + "/generator")]["parameters"]}
    assert params["page_size"]["type"] == "integer" and params["page_size"]["maximum"] == 500


def test_an_answer_with_another_time_format_breaks_its_schema(doc: dict[str, Any]) -> None:
    """What the schema fuzz relies on: the document refuses a time written with +00:00."""
    import httpx
    import schemathesis
    from schemathesis.openapi.checks import JsonSchemaError

    operation = schemathesis.openapi.from_dict(doc)[API + "/keys/{key_id}"]["DELETE"]
    key = {"key_id": "3f0c1e9e-5d1b-4b7e-9a53-0c6a3f1d2e4b", "prefix": "affb_x", "name": "a",
           "role": "viewer", "created_by": None, "revoked_at": None}
    request = httpx.Request("DELETE", "http://gateway" + API + "/keys/x")

    def answer(created_at: str) -> httpx.Response:
        response = httpx.Response(200, json={**key, "created_at": created_at}, request=request)
        response.read()
        response.elapsed = dt.timedelta(milliseconds=1)
        return response

    operation.validate_response(answer("2026-12-01T21:30:36.714326Z"))
    with pytest.raises(JsonSchemaError, match="00:00"):
        operation.validate_response(answer("2026-12-01T21:30:36.714326+00:00"))
