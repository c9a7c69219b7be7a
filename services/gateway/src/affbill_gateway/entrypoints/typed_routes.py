"""The forwarded routes typed as their owning services type them.

The gateway passes bodies through untouched (forwarding.py), so it never imports a
service's models (.importlinter: no service imports another). Instead it carries the
services' OpenAPI documents of exactly the operations it forwards
(`upstream_openapi.json`, written by `make openapi` and checked against the services by
tests/unit/gateway/test_typed_openapi.py): each forwarded operation of the gateway's
document gets the service's parameters, request body and answers, and the schemas they
name. Errors stay the gateway's problem+json (RFC 9457), which the services answer too.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from affbill_gateway.domain.routes import API, FORWARDED, Route

SNAPSHOT = "upstream_openapi.json"
FASTAPI_ERRORS = ("HTTPValidationError", "ValidationError")


@cache
def upstream_documents() -> dict[str, Any]:
    """service → {"paths": …, "components": {"schemas": …}} of the forwarded operations."""
    text = resources.files("affbill_gateway.entrypoints").joinpath(SNAPSHOT).read_text()
    return json.loads(text)


def upstream_operation(route: Route) -> dict[str, Any] | None:
    return upstream_documents().get(route.upstream.value, {}).get("paths", {}).get(
        route.upstream_path, {}).get(route.method.lower())


def _renamed(value: Any, names: dict[str, str]) -> Any:
    """`value` with every $ref to a service schema pointing at its name in the gateway's."""
    if isinstance(value, dict):
        ref = value.get("$ref", "")
        if ref.startswith("#/components/schemas/"):
            return {**value, "$ref": "#/components/schemas/" + names[ref.rsplit("/", 1)[1]]}
        return {k: _renamed(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, names) for v in value]
    return value


def _schema_names(doc: dict[str, Any]) -> dict[str, dict[str, str]]:
    """service → its schema name → the name in the gateway's document: the service's own
    name, or Service_Name where two services (or the gateway) use one name differently."""
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    taken: dict[str, Any] = dict(schemas)
    names: dict[str, dict[str, str]] = {}
    for service, upstream in sorted(upstream_documents().items()):
        mine = names.setdefault(service, {})
        for name, schema in sorted(upstream.get("components", {}).get("schemas", {}).items()):
            if name in FASTAPI_ERRORS:
                continue
            unique = name if taken.get(name, schema) == schema else f"{service.title()}_{name}"
            taken[unique] = schema
            mine[name] = unique
    return names


def type_forwarded(doc: dict[str, Any]) -> dict[str, Any]:
    """The gateway's document with every forwarded operation typed from its service."""
    names = _schema_names(doc)
    schemas = doc["components"]["schemas"]
    for service, upstream in upstream_documents().items():
        for name, schema in upstream.get("components", {}).get("schemas", {}).items():
            if name not in FASTAPI_ERRORS:
                schemas[names[service][name]] = _renamed(schema, names[service])
    for route in FORWARDED:
        found = upstream_operation(route)
        if found is None:
            continue
        op = doc["paths"][API + route.path][route.method.lower()]
        answers = {code: answer for code, answer in found.get("responses", {}).items()
                   if code.startswith("2")}  # errors: the gateway's problem+json
        typed = _renamed({**found, "responses": answers}, names[route.upstream.value])
        op["parameters"] = [p for p in typed.get("parameters", []) if p.get("in") != "header"]
        op.pop("requestBody", None)  # the service's, or none when it takes no body
        if "requestBody" in typed:
            op["requestBody"] = typed["requestBody"]
        if not route.download:
            op["responses"] = {**typed["responses"], **{
                c: a for c, a in op["responses"].items() if not c.startswith("2")}}
    return doc
