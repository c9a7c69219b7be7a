"""Hostile HTTP input gets a 4xx problem naming the field and the reason, never a 500.

The whole stack runs as processes (tests.processes.running_stack) and every case goes
through the gateway, as an attacker's request would: NUL in a query, a path or a body,
offsets and limits past int64, draft lines past numeric(28,10), wait=nan, a sync window
backwards, control and bidi characters in names, bodies over the limit on forwarded and
on the gateway's own routes. Then the services' own ports: a call the gateway did not
sign (or signed for another request, or long ago) gets 401; health stays open. And a key
named "Łukasz" works end to end.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import time
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from affbill_contracts import AdvertiserSynced, Envelope, StatRowSynced, encode, topics
from affbill_contracts.common import PostalAddress
from affbill_runtime.internal_auth import Identity, encode_name, signed_headers
from tests.processes import INTERNAL_SECRET, free_port, running_stack, start_service
from tests.signing import SignedAsGateway

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]
ADMIN_KEY = "affb_hostile-admin-" + uuid.uuid4().hex
HUGE = str(2**63)  # one past int64
BODY_LIMIT = 1024 * 1024  # the gateway's here (AFFBILL_GATEWAY_HTTP_MAX_BODY_BYTES)
JOB = str(uuid.uuid4())


@pytest.fixture(scope="module")
def stack(database_url: str, kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[dict[str, str]]:
    logs: Path = tmp_path_factory.mktemp("hostile")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AFFBILL_GATEWAY_HTTP_MAX_BODY_BYTES", str(BODY_LIMIT))
        with running_stack(database_url, kafka_bootstrap, logs, ADMIN_KEY) as urls:
            yield urls


@pytest.fixture(scope="module")
def api(stack: dict[str, str]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{stack['gateway']}/api/v1", timeout=60,
                      headers={"X-API-Key": ADMIN_KEY}) as client:
        yield client


def seed_customer(kafka: str, api: httpx.Client) -> str:
    """An advertiser with one open item, sent to billing as the sync would; its id."""
    connector = f"ho-{uuid.uuid4().hex[:6]}"
    day = dt.date(2026, 10, 1)
    advertiser = Envelope.wrap(AdvertiserSynced(
        connector=connector, advertiser_id="7", company=f"Acme {connector}", status="active",
        currency="EUR", address=PostalAddress(lines=["Hauptstr. 1"], city="Berlin",
                                              country_code="DE")))
    stat = Envelope.wrap(StatRowSynced(
        connector=connector, stat_key=f"{connector}|{day}|7|20|1004|EUR", date=day,
        advertiser_id="7", offer_id="20", offer_name="Shop CPS", affiliate_id="1004",
        currency="EUR", conversions=3, revenue=Decimal("120.00000"), payout=Decimal(0)))

    async def send() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=kafka)
        await producer.start()
        try:
            await producer.send_and_wait(topics.ADTRACKER_ADVERTISERS, encode(advertiser),
                                         key=b"7")
            await producer.send_and_wait(topics.ADTRACKER_STATS, encode(stat), key=b"7")
        finally:
            await producer.stop()

    asyncio.run(send())
    customer = f"{connector}:advertiser:7"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        items = api.get(f"/generator/{customer}/items")
        if (items.status_code == 200 and items.json()["total"]
                and api.get(f"/customers/{customer}/profile").status_code == 200):
            return customer
        time.sleep(0.5)
    raise AssertionError(f"billing never showed {customer}")


@pytest.fixture(scope="module")
def customer(stack: dict[str, str], api: httpx.Client, kafka_bootstrap: str) -> str:
    return seed_customer(kafka_bootstrap, api)


@pytest.fixture(scope="module")
def draft(api: httpx.Client, customer: str) -> dict[str, Any]:
    made = api.post("/drafts/custom", json={"customer_id": customer,
        "supply_date": "2026-10-31", "lines": [
        {"description": "Setup fee", "quantity": "1", "unit_price": "100.00"}]})
    assert made.status_code == 201, made.text
    return made.json()


def assert_problem(response: httpx.Response, status: int, field: str | None = None) -> None:
    assert response.status_code == status, f"{response.request.method} " \
        f"{response.request.url} → {response.status_code}: {response.text[:500]}"
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status and problem["title"]
    if field is not None:
        fields = [e["field"] for e in problem.get("errors", [])]
        assert any(f == field or f.endswith(f".{field}") for f in fields), problem


LINE = {"description": "Big", "quantity": "1", "unit_price": "1.00"}

# (name, method, path, json body, expected status, field named); {c}, {d}, {l} filled in
CASES: list[tuple[str, str, str, Any, int, str | None]] = [
    ("nul in a forwarded query", "GET", "/customers?q=a%00b", None, 400, "query"),
    ("nul in a jobs query", "GET", "/jobs?started_by=%00", None, 400, "query"),
    ("nul in an own route's query", "GET", "/keys?revoked=%00", None, 400, "query"),
    ("nul in a path", "GET", "/customers/x%00y", None, 400, "path"),
    ("nul in a profile body", "PATCH", "/customers/{c}/profile",
     {"billing_name": "a\u0000b"}, 422, "billing_name"),
    ("nul in a run's customer ids", "POST", "/runs", {"customer_ids": ["x\u0000y"]}, 422,
     "customer_ids.0"),
    ("nul in a key name", "POST", "/keys", {"name": "a\u0000b", "role": "viewer"}, 422, "name"),
    ("nul in a draft line", "POST", "/drafts/{d}/lines",
     {"version": 1, "line": {**LINE, "description": "x\u0000"}}, 422, "line.description"),
    ("nul in a cart's customer", "POST", "/drafts",
     {"customer_id": "x\u0000", "item_ids": [str(uuid.uuid4())]}, 422, "customer_id"),
    ("nul in a sync connector", "POST", "/adtracker/syncs",
     {"connector": "x\u0000", "scope": "standard"}, 422, "connector"),
    ("offset past int64: customers", "GET", f"/customers?offset={HUGE}", None, 422, "offset"),
    ("offset past int64: drafts", "GET", f"/drafts?offset={HUGE}", None, 422, "offset"),
    ("offset past int64: invoices", "GET", f"/invoices?offset={HUGE}", None, 422, "offset"),
    ("offset past int64: jobs", "GET", f"/jobs?offset={HUGE}", None, 422, "offset"),
    ("offset past int64: quarantine", "GET", f"/adtracker/quarantine?offset={HUGE}", None, 422,
     "offset"),
    ("offset past int64: keys", "GET", f"/keys?offset={HUGE}", None, 422, "offset"),
    ("limit past int64", "GET", f"/customers?limit={HUGE}", None, 422, "limit"),
    ("page past int64", "GET", f"/generator?page={HUGE}", None, 422, "page"),
    ("items page past int64", "GET", f"/generator/{{c}}/items?page={HUGE}", None, 422, "page"),
    ("version past int64", "DELETE", f"/drafts/{{d}}?version={HUGE}", None, 422, "version"),
    ("a custom line past numeric(28,10)", "POST", "/drafts/custom",
     {"customer_id": "{c}", "lines": [{**LINE, "quantity": "999999999999",
                                       "unit_price": "999999999999"}]}, 422, "lines.0"),
    ("many custom lines adding up past numeric(28,10)", "POST", "/drafts/custom",
     {"customer_id": "{c}", "lines": [{**LINE, "quantity": "9999999", "unit_price": "999999"}
                                      for _ in range(200)]}, 422, "lines"),
    ("an added line past numeric(28,10)", "POST", "/drafts/{d}/lines",
     {"version": 1, "line": {**LINE, "quantity": "99999999999", "unit_price": "99999999999"}},
     422, "line"),
    ("an edited line past numeric(28,10)", "PATCH", "/drafts/{d}/lines/{l}",
     {"version": 1, "quantity": "999999999999", "unit_price": "999999999999"}, 422, "line"),
    ("a quantity that is not a number", "POST", "/drafts/{d}/lines",
     {"version": 1, "line": {**LINE, "quantity": "NaN"}}, 422, "quantity"),
    ("wait=nan", "GET", f"/jobs/{JOB}/lines?wait=nan", None, 422, "wait"),
    ("wait=inf", "GET", f"/jobs/{JOB}/lines?wait=inf", None, 422, "wait"),
    ("a sync window backwards", "POST", "/adtracker/syncs",
     {"connector": "hasoffers-sim", "scope": "partial", "date_from": "2026-10-10",
      "date_to": "2026-10-01"}, 422, None),
    ("a bidi override in a key name", "POST", "/keys", {"name": "anna\u202egpj.exe",
                                                         "role": "viewer"}, 422, "name"),
    ("a C1 control in a key name", "POST", "/keys", {"name": "anna\u0085", "role": "viewer"},
     422, "name"),
    ("a bidi isolate in a billing name", "PATCH", "/customers/{c}/profile",
     {"billing_name": "Acme \u2067GmbH"}, 422, "billing_name"),
    ("a C1 control in a draft's billing name", "PATCH", "/drafts/{d}",
     {"version": 1, "billing_name": "Acme\u009b"}, 422, "billing_name"),
]


@pytest.mark.parametrize(("case", "method", "path", "body", "status", "field"), CASES,
                         ids=[c[0] for c in CASES])
def test_hostile_input_gets_a_4xx_problem(api: httpx.Client, customer: str,
                                          draft: dict[str, Any], case: str, method: str,
                                          path: str, body: Any, status: int,
                                          field: str | None) -> None:
    fill = {"{c}": customer, "{d}": draft["draft_id"], "{l}": draft["lines"][0]["line_id"]}
    for placeholder, value in fill.items():
        path = path.replace(placeholder, value)
    if isinstance(body, dict) and body.get("customer_id") == "{c}":
        body = {**body, "customer_id": customer}
    response = api.request(method, path, json=body)
    assert_problem(response, status, field)
    assert api.get(f"/drafts/{draft['draft_id']}").json()["version"] == 1  # nothing changed


@pytest.mark.parametrize(("method", "path"), [
    ("POST", "/keys"), ("POST", "/runs"), ("POST", "/adtracker/syncs"), ("POST", "/drafts"),
    ("POST", "/drafts/custom"), ("PATCH", "/customers/x/profile"), ("POST", "/drafts/issue")])
@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_a_body_over_the_limit_is_413_on_every_route(api: httpx.Client, method: str, path: str,
                                                     framing: str) -> None:
    body = b'{"name": "' + b"x" * BODY_LIMIT + b'"}'
    content: Any = body if framing == "content-length" else iter(
        [body[i:i + 65_536] for i in range(0, len(body), 65_536)])
    try:
        response = api.request(method, path, content=content,
                               headers={"content-type": "application/json"})
    except httpx.WriteError:  # the gateway answered and closed before the rest was sent
        return
    assert_problem(response, 413, "body")


def test_a_run_refused_at_the_gateway_leaves_no_job(api: httpx.Client) -> None:
    before = api.get("/jobs", params={"kind": "batch_run"}).json()["total"]
    assert_problem(api.post("/runs", json={"customer_ids": ["x\u0000y"]}), 422,
                   "customer_ids.0")
    assert api.get("/jobs", params={"kind": "batch_run"}).json()["total"] == before


def test_a_key_named_lukasz_works_end_to_end(api: httpx.Client, customer: str) -> None:
    made = api.post("/keys", json={"name": "Łukasz", "role": "accountant"})
    assert made.status_code == 201, made.text
    with httpx.Client(base_url=str(api.base_url), timeout=60,
                      headers={"X-API-Key": made.json()["key"]}) as lukasz:
        assert lukasz.get("/customers").status_code == 200
        draft = lukasz.post("/drafts/custom", json={"customer_id": customer,
        "supply_date": "2026-10-31", "lines": [
            {"description": "Łukasz's fee", "quantity": "1", "unit_price": "10.00"}]})
        assert draft.status_code == 201, draft.text
        assert draft.json()["created_by"] == "Łukasz"
        approved = lukasz.post(f"/drafts/{draft.json()['draft_id']}/approve",
                               json={"version": draft.json()["version"]})
        # four eyes: the creator's own approval is refused or not counted, by name
        assert approved.status_code in (200, 409), approved.text
        if approved.status_code == 409:
            assert "Łukasz created this draft" in approved.json()["detail"], approved.text
    keys = api.get("/keys").json()["items"]
    assert "Łukasz" in [k["name"] for k in keys]


SERVICES = {"sync": "/connectors", "billing": "/customers", "documents": "/invoices",
            "jobs": "/jobs"}


def _forged(kind: str, path: str) -> dict[str, str]:
    who = Identity("k", "mallory", "admin")
    if kind == "unsigned":
        return {}
    if kind == "a plain user header":
        return {"X-Affbill-User": "admin", "X-Affbill-Role": "admin"}
    if kind == "another secret":
        return signed_headers(b"not-the-secret-" * 3, "GET", path, who)
    if kind == "stale":
        return signed_headers(INTERNAL_SECRET.encode(), "GET", path, who, time.time() - 120)
    if kind == "signed for another path":
        return signed_headers(INTERNAL_SECRET.encode(), "GET", "/health/live", who)
    signed = signed_headers(INTERNAL_SECRET.encode(), "GET", path, who)
    return {**signed, "X-Affbill-User": encode_name("someone else")}  # "another user"


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("kind", ["unsigned", "a plain user header", "another secret", "stale",
                                  "signed for another path", "another user"])
def test_the_services_refuse_calls_the_gateway_did_not_sign(stack: dict[str, str],
                                                            service: str, kind: str) -> None:
    path = SERVICES[service]
    response = httpx.get(f"{stack[service]}{path}", headers=_forged(kind, path), timeout=30)
    assert_problem(response, 401, "X-Affbill-Signature")


@pytest.mark.parametrize("service", SERVICES)
def test_signed_calls_and_health_are_served(stack: dict[str, str], service: str) -> None:
    with httpx.Client(base_url=stack[service], timeout=30,
                      auth=SignedAsGateway(INTERNAL_SECRET)) as signed:
        assert signed.get(SERVICES[service]).status_code == 200
    assert httpx.get(f"{stack[service]}/health/ready", timeout=30).status_code == 200
    assert httpx.get(f"{stack[service]}/health/live", timeout=30).status_code == 200


def test_a_service_refuses_to_start_in_production_without_the_secret(tmp_path: Path) -> None:
    assert "AFFBILL_INTERNAL_SECRET" not in os.environ
    proc = start_service("affbill-jobs", free_port(), {"AFFBILL_ENV": "production",
                                                       "AFFBILL_JOBS_MIGRATE_ON_START": "false"},
                         tmp_path / "jobs.log")
    assert proc.wait(240) != 0  # a loaded machine takes a while just to import
    assert "AFFBILL_INTERNAL_SECRET is required" in (tmp_path / "jobs.log").read_text()
