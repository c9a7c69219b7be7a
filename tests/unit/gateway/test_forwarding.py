"""Every route of the table reaches its owning service as api.md says; failures are problems."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import httpx
import pytest

from affbill_gateway.config import Settings
from affbill_gateway.domain.keys import Role
from affbill_gateway.domain.routes import FORWARDED, Route
from affbill_gateway.entrypoints import forwarding
from affbill_gateway.entrypoints.forwarding import long_poll_s
from tests.processes import free_port
from tests.unit.gateway.conftest import KEYS, Upstream, key

ID = "3f2b8a1e-5c4d-4e6f-8a9b-0c1d2e3f4a5b"


def concrete(path: str) -> str:
    return re.sub(r"{\w+}", ID, path)


@pytest.mark.parametrize("route", FORWARDED, ids=lambda r: f"{r.method} {r.path}")
async def test_route_is_forwarded_to_its_service(gateway: httpx.AsyncClient, upstream: Upstream,
                                                 route: Route) -> None:
    body = b'{"version": 3}' if route.has_body else None
    response = await gateway.request(
        route.method, f"/api/v1{concrete(route.path)}?limit=5&offset=10", content=body,
        headers={**key(Role.ADMIN), "X-Request-Id": "req-42", "content-type": "application/json"})
    assert response.status_code == 200, response.text
    [sent] = upstream.requests
    assert (sent.method, sent.url.host) == (route.method, route.upstream)
    assert sent.url.path == concrete(route.upstream_path)
    assert sent.url.params["limit"] == "5" and sent.url.params["offset"] == "10"
    assert sent.headers["x-request-id"] == "req-42"
    assert sent.headers["x-affbill-user"] == "admin@network.example"
    assert "x-api-key" not in sent.headers and "authorization" not in sent.headers
    assert sent.content == (body or b"")
    assert response.headers["x-request-id"] == "req-42"


async def test_the_services_answer_comes_back_as_it_is(gateway: httpx.AsyncClient,
                                                      upstream: Upstream) -> None:
    upstream.reply = lambda r: httpx.Response(
        409, json={"type": "about:blank", "title": "Conflict", "status": 409, "version": 4},
        headers={"content-type": "application/problem+json"})
    response = await gateway.patch(f"/api/v1/drafts/{ID}", json={"version": 3},
                                   headers=key(Role.ACCOUNTANT))
    assert response.status_code == 409 and response.json()["version"] == 4
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("encoding", ["content-length", "chunked"])
async def test_downloads_stream_through_with_their_type(gateway: httpx.AsyncClient,
                                                       upstream: Upstream, encoding: str) -> None:
    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 4000
    upstream.reply = lambda r: httpx.Response(200, content=pdf, headers={
        "content-type": "application/pdf", "transfer-encoding": encoding,
        "content-disposition": 'attachment; filename="INV-2026-00001.pdf"'})
    for _ in range(2):  # the second one on the kept-alive connection
        response = await gateway.get(f"/api/v1/invoices/{ID}/pdf", headers=key(Role.VIEWER))
        assert response.status_code == 200 and response.content == pdf
        assert response.headers["content-type"] == "application/pdf"
        assert "INV-2026-00001.pdf" in response.headers["content-disposition"]


@pytest.mark.parametrize(("query", "seconds"), [
    ("after=7&wait=25", 25.0), ("wait=900", 30.0), ("wait=-3", 0.0), ("wait=soon", 0.0), ("", 0.0),
])
def test_long_poll_wait_is_read_as_the_jobs_service_caps_it(query: str, seconds: float) -> None:
    assert long_poll_s(query) == seconds


class TestTimeouts:
    @pytest.fixture
    def settings(self) -> Settings:
        return Settings(read_timeout_s=0.3)

    async def test_a_slow_service_is_504_but_a_long_poll_gets_its_wait_on_top(
            self, gateway: httpx.AsyncClient, upstream: Upstream) -> None:
        upstream.delay = 0.8
        slow = await gateway.get(f"/api/v1/jobs/{ID}", headers={**key(Role.VIEWER),
                                                               "X-Request-Id": "r-1"})
        assert slow.status_code == 504
        assert slow.headers["content-type"] == "application/problem+json"
        assert slow.json()["title"] == "Gateway Timeout" and "jobs" in slow.json()["detail"]
        assert slow.json()["request_id"] == "r-1"
        polled = await gateway.get(f"/api/v1/jobs/{ID}/lines?wait=3", headers=key(Role.VIEWER))
        assert polled.status_code == 200


class TestRefused:
    @pytest.fixture
    def settings(self) -> Settings:
        return Settings(billing_url=f"http://127.0.0.1:{free_port()}")  # nothing listens

    async def test_a_service_that_is_down_is_502(self, gateway: httpx.AsyncClient) -> None:
        response = await gateway.get("/api/v1/generator", headers={**key(Role.VIEWER),
                                                                   "X-Request-Id": "r-1"})
        assert response.status_code == 502
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["title"] == "Bad Gateway" and "billing" in problem["detail"]
        assert problem["request_id"] == "r-1"


async def test_a_method_the_table_does_not_have_is_not_forwarded(
        gateway: httpx.AsyncClient, upstream: Upstream) -> None:
    response = await gateway.put(f"/api/v1/drafts/{ID}", headers=key(Role.ADMIN), json={})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert upstream.requests == []


@pytest.mark.parametrize("headers", [{}, {"X-API-Key": "wrong"}, {"Authorization": "Bearer x"},
                                     {"Authorization": "Basic key-admin"}])
async def test_no_valid_key_is_401_before_anything_is_looked_up(
        gateway: httpx.AsyncClient, upstream: Upstream, headers: dict[str, str]) -> None:
    for path in (f"/api/v1/invoices/{ID}", "/api/v1/invoices/not-an-id", "/api/v1/nowhere"):
        response = await gateway.get(path, headers=headers)
        assert response.status_code == 401
        assert response.json()["detail"].startswith("A valid API key is required")
        assert response.headers["www-authenticate"].startswith("Bearer")
    assert upstream.requests == []


async def test_bearer_works_like_the_key_header(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/api/v1/generator",
                                 headers={"Authorization": "Bearer key-viewer"})
    assert response.status_code == 200


@pytest.mark.parametrize("route", [r for r in FORWARDED if r.method != "GET"],
                         ids=lambda r: f"{r.method} {r.path}")
async def test_a_viewer_may_not_act_and_learns_nothing(
        gateway: httpx.AsyncClient, upstream: Upstream, route: Route) -> None:
    response = await gateway.request(route.method, f"/api/v1{concrete(route.path)}",
                                     content=b"not json", headers=key(Role.VIEWER))
    assert response.status_code == 403
    assert response.json()["detail"] == "The role viewer may not do this (act access needed)."
    assert upstream.requests == []


async def test_malformed_ids_are_refused_by_the_gateway(gateway: httpx.AsyncClient,
                                                       upstream: Upstream) -> None:
    response = await gateway.get("/api/v1/jobs/not-a-uuid", headers=key(Role.VIEWER))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "path.job_id"
    assert upstream.requests == []


async def test_sync_requests_carry_the_key_name_as_who(gateway: httpx.AsyncClient,
                                                      upstream: Upstream) -> None:
    upstream.reply = lambda r: httpx.Response(202, json={"job_id": ID, "status": "queued"})
    response = await gateway.post("/api/v1/adtracker/syncs", headers=key(Role.ACCOUNTANT),
                                  json={"connector": "hasoffers-sim", "scope": "partial"})
    assert response.status_code == 202 and response.json()["job_id"] == ID
    [sent] = upstream.requests
    assert (sent.url.host, sent.url.path) == ("sync", "/syncs")
    assert httpx.Response(200, content=sent.content).json() == {
        "connector": "hasoffers-sim", "scope": "partial",
        "requested_by": "accountant@network.example"}


@pytest.mark.parametrize(("body", "field"), [
    ({"connector": "x", "scope": "everything"}, "scope"),
    ({"scope": "standard"}, "connector"),
    ({"connector": "x", "scope": "standard", "requested_by": "someone else"}, "requested_by"),
])
async def test_bad_sync_requests_never_reach_the_sync(
        gateway: httpx.AsyncClient, upstream: Upstream, body: dict[str, str], field: str) -> None:
    response = await gateway.post("/api/v1/adtracker/syncs", json=body,
                                  headers=key(Role.ACCOUNTANT))
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]
    assert upstream.requests == []


@pytest.mark.parametrize(("body", "field", "reason"), [
    ({}, "all", "select customer_ids, item_ids, or all: true"),
    ({"customer_ids": []}, "all", "select customer_ids, item_ids, or all: true"),
    ({"all": True, "customer_ids": ["c"]}, "all",
     "all cannot be combined with customer_ids or item_ids"),
    ({"item_ids": ["nope"]}, "item_ids.0", None),
    ({"customer_ids": [""]}, "customer_ids.0", None),
    ({"customer_ids": ["c"], "period_end": "yesterday"}, "period_end", None),
    ({"customer_ids": ["c"], "period": "November"}, "period", None),
    ({"customer_ids": ["c"], "period": "2026-13"}, "period", None),
    ({"customer_ids": ["c"], "period": "2026-11", "period_end": "2026-11-30"}, "period_end",
     None),
    ({"customer_ids": ["c"], "invoice_date_rule": "tomorrow"}, "invoice_date_rule", None),
    ({"customer_ids": ["c"], "run_id": str(uuid.uuid4())}, "run_id", None),
    ({"customer_ids": ["c"] * 10_001}, "customer_ids", None),
    ({"item_ids": [str(uuid.uuid4())] * 10_001}, "item_ids", None),
    ({"all": True, "currency": "euro"}, "currency", None),
])
async def test_bad_runs_are_refused_naming_the_field(
        gateway: httpx.AsyncClient, body: dict[str, object], field: str,
        reason: str | None) -> None:
    response = await gateway.post("/api/v1/runs", json=body, headers=key(Role.ACCOUNTANT))
    assert response.status_code == 422
    problem = response.json()
    assert problem["status"] == 422 and problem["request_id"]
    [error] = [e for e in problem["errors"] if e["field"] == field]
    assert reason is None or error["reason"] == reason


async def test_openapi_documents_every_route_with_its_security(
        gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/api/v1/openapi.json")  # public: no key needed
    assert response.status_code == 200
    doc = response.json()
    assert set(doc["components"]["securitySchemes"]) == {"APIKeyHeader", "HTTPBearer"}
    operations = {(m.upper(), p): op for p, item in doc["paths"].items()
                  for m, op in item.items() if p.startswith("/api/v1")}
    expected = {(r.method, f"/api/v1{r.path}") for r in FORWARDED} | {
        ("POST", "/api/v1/keys"), ("GET", "/api/v1/keys"), ("DELETE", "/api/v1/keys/{key_id}"),
        ("POST", "/api/v1/runs"), ("POST", "/api/v1/adtracker/syncs"),
        ("GET", "/api/v1/drafts/{draft_id}/preview"),
        ("GET", "/api/v1/audit"), ("GET", "/api/v1/audit/verify")}
    assert set(operations) == expected
    for (method, path), op in operations.items():
        assert op["security"] == [{"APIKeyHeader": []}, {"HTTPBearer": []}], path
        assert {"401", "403", "502"} <= set(op["responses"]), path
        roles = op["x-affbill-roles"]
        if path.startswith(("/api/v1/keys", "/api/v1/audit")):
            assert roles == ["admin"]
        else:
            assert roles == (["viewer", "accountant", "admin"] if method == "GET"
                             else ["accountant", "admin"]), path


def test_every_principal_in_the_fakes_has_a_role() -> None:
    assert {p.role for p in KEYS.values()} == set(Role)


async def test_a_body_over_the_limit_is_413_and_not_forwarded(
        gateway: httpx.AsyncClient, upstream: Upstream, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forwarding, "MAX_BODY", 10)
    response = await gateway.post("/api/v1/drafts", content=b'{"customer_id": "ho:1"}',
                                  headers=key(Role.ACCOUNTANT))
    assert response.status_code == 413
    assert response.json()["detail"] == "A request body may have at most 10 bytes."
    assert upstream.requests == []


@pytest.mark.parametrize(("query", "seconds"), [
    ("wait=5", 5.0), ("wait=99", 30.0), ("wait=-1", 0.0), ("wait=nan", 0.0), ("wait=inf", 0.0),
    ("wait=-inf", 0.0), ("wait=x", 0.0), ("", 0.0)])
def test_a_long_poll_wait_that_is_not_a_finite_number_adds_nothing(query: str,
                                                                   seconds: float) -> None:
    assert long_poll_s(query) == seconds  # the jobs service answers the bad value with 422


async def test_a_draft_preview_asks_billing_then_documents(gateway: httpx.AsyncClient,
                                                           upstream: Upstream) -> None:
    """GET /drafts/{id}/preview: billing states the document, documents prints it; a
    refusal of billing (404, 422) comes back as it is and documents is not asked."""
    document = b'{"number": "(pending)"}'

    def reply(r: httpx.Request) -> httpx.Response:
        if r.url.host == "billing":
            return httpx.Response(200, content=document,
                                  headers={"content-type": "application/json"})
        return httpx.Response(200, content=b"%PDF-1.7 draft",
                              headers={"content-type": "application/pdf"})
    upstream.reply = reply
    response = await gateway.get(f"/api/v1/drafts/{ID}/preview", headers=key(Role.VIEWER))
    assert response.status_code == 200 and response.content == b"%PDF-1.7 draft"
    assert response.headers["content-type"] == "application/pdf"
    billing, documents = upstream.requests
    assert (billing.method, billing.url.host, billing.url.path) == (
        "GET", "billing", f"/drafts/{ID}/preview-document")
    assert (documents.method, documents.url.host, documents.url.path) == (
        "POST", "documents", "/previews")
    assert documents.content == document

    upstream.requests.clear()
    upstream.reply = lambda r: httpx.Response(
        404, json={"title": "Not Found", "status": 404},
        headers={"content-type": "application/problem+json"})
    missing = await gateway.get(f"/api/v1/drafts/{ID}/preview", headers=key(Role.VIEWER))
    assert missing.status_code == 404 and [r.url.host for r in upstream.requests] == ["billing"]
def test_a_run_request_names_its_period_by_its_days() -> None:
    from affbill_gateway.entrypoints.http import RunRequest

    assert RunRequest(all=True, period="2026-11").period_days() == (
        dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert RunRequest(all=True, period="2026-Q4").period_days() == (
        dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert RunRequest(all=True, period_end=dt.date(2026, 10, 31)).period_days() == (
        None, dt.date(2026, 10, 31))
    assert RunRequest(all=True).period_days() == (None, None)
