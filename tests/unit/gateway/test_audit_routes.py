"""GET /api/v1/audit[/verify]?service=…: admins only, the filters checked and passed to the
owning service with who asks, and the gateway's own "who" is the key, never a header."""

from __future__ import annotations

import httpx
import pytest

from affbill_gateway.domain.keys import Role
from affbill_gateway.entrypoints.audit_http import principal_actor
from affbill_runtime.acting import Actor
from tests.unit.gateway.conftest import KEYS, Upstream, key


async def test_the_trail_of_a_service_is_asked_of_it_with_the_filters(
        gateway: httpx.AsyncClient, upstream: Upstream) -> None:
    response = await gateway.get("/api/v1/audit", params={
        "service": "billing", "entity_kind": "draft", "user": "anna", "action": "issue",
        "from": "2026-12-01T00:00:00+00:00", "limit": 5, "offset": 10},
        headers={**key(Role.ADMIN), "X-Request-Id": "req-7"})
    assert response.status_code == 200, response.text
    [sent] = upstream.requests
    assert (sent.url.host, sent.url.path) == ("billing", "/audit")
    assert dict(sent.url.params) == {
        "entity_kind": "draft", "user": "anna", "action": "issue",
        "from": "2026-12-01T00:00:00+00:00", "limit": "5", "offset": "10"}
    assert sent.headers["x-affbill-user"] == "admin@network.example"
    assert sent.headers["x-affbill-role"] == "admin" and sent.headers["x-request-id"] == "req-7"


async def test_verify_is_asked_of_the_service(gateway: httpx.AsyncClient,
                                              upstream: Upstream) -> None:
    response = await gateway.get("/api/v1/audit/verify", params={"service": "sync"},
                                 headers=key(Role.ADMIN))
    assert response.status_code == 200
    [sent] = upstream.requests
    assert (sent.url.host, sent.url.path, sent.url.query) == ("sync", "/audit/verify", b"")


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ACCOUNTANT])
async def test_only_admins_read_the_trail(gateway: httpx.AsyncClient, upstream: Upstream,
                                          role: Role) -> None:
    for path in ("/api/v1/audit", "/api/v1/audit/verify"):
        response = await gateway.get(path, params={"service": "billing"}, headers=key(role))
        assert response.status_code == 403
    assert upstream.requests == []


@pytest.mark.parametrize("params,field", [
    ({"service": "documents"}, "service"), ({}, "service"),
    ({"service": "billing", "user": "a\x1bb"}, "user"),  # NUL is refused earlier (400)
    ({"service": "billing", "from": "yesterday"}, "from"),
    ({"service": "billing", "offset": str(2**63)}, "offset"),
    ({"service": "billing", "limit": "0"}, "limit")])
async def test_bad_filters_are_a_422_naming_the_field(
        gateway: httpx.AsyncClient, upstream: Upstream, params: dict, field: str) -> None:
    response = await gateway.get("/api/v1/audit", params=params, headers=key(Role.ADMIN))
    assert response.status_code == 422, response.text
    assert field in response.text
    assert upstream.requests == []


def test_the_gateways_who_is_the_keys_owner() -> None:
    principal = KEYS["key-accountant"]
    scope = {"type": "http", "state": {"principal": principal, "request_id": "r9"},
             "headers": [(b"x-affbill-user", b"mallory")]}
    assert principal_actor(scope) == Actor(principal.name, "accountant", "r9")
    assert principal_actor({"type": "http", "headers": []}) is None
