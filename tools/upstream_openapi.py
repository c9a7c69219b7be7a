"""Writes (or checks) the services' OpenAPI operations that the gateway forwards, into
services/gateway/src/affbill_gateway/entrypoints/upstream_openapi.json.

The gateway types its forwarded routes with them (affbill_gateway.entrypoints.typed_routes)
without importing any service. Run `make openapi` after changing a service's route, request
model or view model; tests/unit/gateway/test_typed_openapi.py fails while the file is stale.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

from affbill_gateway.domain.routes import FORWARDED

SNAPSHOT = (Path(__file__).resolve().parents[1] / "services/gateway/src/affbill_gateway"
            / "entrypoints/upstream_openapi.json")


def _refs(value: Any) -> set[str]:
    if isinstance(value, dict):
        found = {value["$ref"].rsplit("/", 1)[1]} if "$ref" in value else set()
        return found.union(*(_refs(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_refs(v) for v in value))
    return set()


def service_document(service: str) -> dict[str, Any]:
    """The operations of `service` that the gateway forwards, with the schemas they use."""
    app = importlib.import_module(f"affbill_{service}.entrypoints.app").create_app()
    full = app.openapi()
    paths: dict[str, Any] = {}
    for route in FORWARDED:
        if route.upstream.value == service:
            op = full["paths"].get(route.upstream_path, {}).get(route.method.lower())
            if op is not None:
                paths.setdefault(route.upstream_path, {})[route.method.lower()] = {
                    k: op[k] for k in ("parameters", "requestBody", "responses") if k in op}
    all_schemas = full.get("components", {}).get("schemas", {})
    used, todo = set(), _refs(paths)
    while todo:
        name = todo.pop()
        if name not in used:
            used.add(name)
            todo |= _refs(all_schemas[name])
    return {"paths": paths, "components": {"schemas": {n: all_schemas[n] for n in sorted(used)}}}


def documents() -> dict[str, Any]:
    return {s: service_document(s) for s in sorted({r.upstream.value for r in FORWARDED})}


def text() -> str:
    return json.dumps(documents(), indent=1, sort_keys=True) + "\n"


def main() -> int:
    if sys.argv[1:] == ["--check"]:
        stale = not SNAPSHOT.exists() or SNAPSHOT.read_text() != text()
        print(f"{SNAPSHOT} is stale: run make openapi" if stale else "up to date")
        return int(stale)
    SNAPSHOT.write_text(text())
    print(SNAPSHOT)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
