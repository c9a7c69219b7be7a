"""The gateway on the real stack: who may do what, keys, forwarding, runs, problems."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import asyncpg
import pytest

from affbill_contracts import topics
from tests.integration.gateway.conftest import CONNECTOR, Stack, Topic, seed_customer

pytestmark = pytest.mark.integration

# one request per route class; "allowed" means the gateway let it through to the service
READ = [("GET", "/api/v1/generator", None), ("GET", "/api/v1/adtracker/connectors", None)]
ACT = [("POST", "/api/v1/runs", {"customer_ids": ["nobody:advertiser:0"]}),
       ("POST", "/api/v1/adtracker/syncs", {"connector": "not-configured", "scope": "partial"}),
       ("PATCH", "/api/v1/customers/nobody/profile", {"payment_days": 10})]
ADMIN = [("GET", "/api/v1/keys", None)]
ALLOWED = {"none": set(), "invalid": set(), "viewer": {"read"},
           "accountant": {"read", "act"}, "admin": {"read", "act", "admin"}}


@pytest.mark.parametrize("who", list(ALLOWED))
async def test_authorization_matrix(stack: Stack, keys: dict[str, str], who: str) -> None:
    key = {"none": None, "invalid": "affb_" + "x" * 43}.get(who, keys.get(who))
    async with stack.client(key) as client:
        for cls, requests in (("read", READ), ("act", ACT), ("admin", ADMIN)):
            for method, path, body in requests:
                response = await client.request(method, path, json=body)
                if cls in ALLOWED[who]:
                    assert response.status_code not in (401, 403), (who, path, response.text)
                else:
                    expected = 401 if who in ("none", "invalid") else 403
                    assert response.status_code == expected, (who, path)
                    assert response.headers["content-type"] == "application/problem+json"
                    assert response.json()["request_id"] == response.headers["x-request-id"]


async def test_keys_are_made_listed_and_revoked(stack: Stack, admin: Any) -> None:
    made = (await admin.post("/api/v1/keys", json={"name": "temp@network.example",
                                                   "role": "viewer"})).json()
    key = made.pop("key")
    listed = (await admin.get("/api/v1/keys", params={"limit": 500})).json()
    [shown] = [k for k in listed["items"] if k["key_id"] == made["key_id"]]
    assert shown == made and shown["prefix"] == key[:12] and "key" not in shown
    assert (await admin.post("/api/v1/keys", json={"name": "temp@network.example",
                                                   "role": "admin"})).status_code == 409
    conn = await asyncpg.connect(stack.database_url)
    try:
        stored = await conn.fetch("select * from gateway.api_keys where key_id = $1",
                                  uuid.UUID(made["key_id"]))
    finally:
        await conn.close()
    assert stored[0]["key_hash"] == hashlib.sha256(key.encode()).hexdigest()
    assert key not in repr(dict(stored[0]))  # only the digest is kept
    async with stack.client(key) as viewer:
        assert (await viewer.get("/api/v1/generator")).status_code == 200
        revoked = await admin.delete(f"/api/v1/keys/{made['key_id']}")
        assert revoked.status_code == 200 and revoked.json()["revoked_at"]
        assert (await viewer.get("/api/v1/generator")).status_code == 401
    again = await admin.delete(f"/api/v1/keys/{made['key_id']}")
    assert again.json() == revoked.json()  # revoking twice changes nothing
    assert (await admin.delete(f"/api/v1/keys/{uuid.uuid4()}")).status_code == 404


async def test_the_last_admin_key_stays(stack: Stack, admin: Any) -> None:
    admins = [k for k in (await admin.get("/api/v1/keys", params={"limit": 500})).json()["items"]
              if k["role"] == "admin"]
    assert [k["created_by"] for k in admins] == ["configuration"]
    response = await admin.delete(f"/api/v1/keys/{admins[0]['key_id']}")
    assert response.status_code == 409
    assert (await admin.get("/api/v1/keys")).status_code == 200


async def test_bad_key_requests_change_nothing(admin: Any) -> None:
    before = (await admin.get("/api/v1/keys")).json()["total"]
    response = await admin.post("/api/v1/keys", json={"name": "", "role": "boss"})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"name", "role"}
    assert (await admin.get("/api/v1/keys")).json()["total"] == before


async def test_forwarded_reads_are_the_services_answers(stack: Stack, keys: dict[str, str]
                                                        ) -> None:
    customer = await seed_customer(stack)
    async with stack.client(keys["viewer"]) as viewer, stack.direct() as direct_sync:
        connectors = await viewer.get("/api/v1/adtracker/connectors",
                                      headers={"X-Request-Id": "it-1"})
        assert connectors.headers["x-request-id"] == "it-1"
        direct = await direct_sync.get(f"{stack.sync}/connectors")
        assert connectors.json() == direct.json() and connectors.json()[0]["id"] == CONNECTOR
        through = await viewer.get(f"/api/v1/generator/{customer}/items")
        direct = await direct_sync.get(f"{stack.billing}/generator/{customer}/items")
        assert through.json() == direct.json() and through.json()["total"] == 1
        generator = (await viewer.get("/api/v1/generator", params={"customer": customer})).json()
        assert [line["customer_id"] for line in generator["lines"]] == [customer]


async def test_profile_edits_pass_through_and_bad_ones_change_nothing(
        stack: Stack, keys: dict[str, str]) -> None:
    customer = await seed_customer(stack)
    async with stack.client(keys["accountant"]) as accountant:
        profile = (await accountant.get(f"/api/v1/customers/{customer}/profile")).json()
        bad = await accountant.patch(f"/api/v1/customers/{customer}/profile",
                                     json={"payment_days": -1, "version": profile["version"]})
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["field"] == "payment_days"
        same = (await accountant.get(f"/api/v1/customers/{customer}/profile")).json()
        assert same == profile
        changed = await accountant.patch(f"/api/v1/customers/{customer}/profile",
                                         json={"payment_days": 14, "version": profile["version"]})
        assert changed.status_code == 200
        assert changed.json()["payment_days"] == 14
        assert changed.json()["version"] == profile["version"] + 1
        stale = await accountant.patch(f"/api/v1/customers/{customer}/profile",
                                       json={"payment_days": 20, "version": profile["version"]})
        assert stale.status_code == 409


async def test_a_run_is_accepted_and_sent_to_billing(stack: Stack, keys: dict[str, str],
                                                     admin: Any) -> None:
    name = next(k["name"] for k in (await admin.get("/api/v1/keys")).json()["items"]
                if k["role"] == "accountant")
    customer, item = "nobody:advertiser:1", uuid.uuid4()
    async with Topic(stack.kafka, topics.BILLING_REQUESTS) as requests, \
            Topic(stack.kafka, topics.JOBS_EVENTS) as jobs, \
            stack.client(keys["accountant"]) as accountant:
        response = await accountant.post("/api/v1/runs", json={
            "customer_ids": [customer], "item_ids": [str(item)], "period_end": "2026-10-31"})
        assert response.status_code == 202
        job_id = uuid.UUID(response.json()["job_id"])
        seen = await requests.wait_for(lambda e: e.job_id == job_id)
        queued = await jobs.wait_for(lambda e: e.job_id == job_id and e.type == "jobs.job.queued")
    [command] = [e for e in seen if e.job_id == job_id]
    [job] = [e.payload for e in queued if e.job_id == job_id and e.type == "jobs.job.queued"]
    assert (job.kind, job.requested_by, job.service) == ("batch_run", name, "gateway")
    assert job.title == "Process selected: 1 customer, 1 item"
    assert command.type == "billing.run.process_selected"
    assert command.payload.run_id == job_id
    assert command.payload.customer_ids == [customer] and command.payload.item_ids == [item]
    assert str(command.payload.period_end) == "2026-10-31"
    assert command.payload.requested_by == name


async def test_bad_runs_send_nothing(stack: Stack, keys: dict[str, str]) -> None:
    async with Topic(stack.kafka, topics.BILLING_REQUESTS) as requests, \
            stack.client(keys["accountant"]) as accountant:
        for body in ({}, {"all": True, "customer_ids": ["x"]}, {"item_ids": ["nope"]}):
            response = await accountant.post("/api/v1/runs", json=body)
            assert response.status_code == 422 and response.json()["errors"]
        not_json = await accountant.post("/api/v1/runs", content=b"{",
                                         headers={"content-type": "application/json"})
        assert not_json.status_code == 422
        assert await requests.read(2) == []


async def test_running_all_bills_every_customer_of_the_generator(
        stack: Stack, keys: dict[str, str]) -> None:
    # the two seeded customers' items lie in a closed period: "all" must bill both (other
    # tests' customers may hold items of the running period, which no run bills yet)
    customers = {await seed_customer(stack), await seed_customer(stack)}
    async with Topic(stack.kafka, topics.BILLING_INVOICES) as invoices, \
            stack.client(keys["accountant"]) as accountant:
        listed = (await accountant.get("/api/v1/generator", params={"page_size": 500})).json()
        assert customers <= {line["customer_id"] for line in listed["lines"]}
        response = await accountant.post("/api/v1/runs", json={"all": True})
        assert response.status_code == 202
        job_id = uuid.UUID(response.json()["job_id"])
        issued: set[str] = set()

        def all_issued(e: Any) -> bool:
            if e.job_id == job_id:
                issued.add(e.payload.document.customer_id)
            return customers <= issued

        await invoices.wait_for(all_issued, seconds=180)  # "all" bills the session's others too
        # other modules' customers share the database: some keep items (the running period,
        # a threshold), so the generator is checked for the two seeded customers only
        left = (await accountant.get("/api/v1/generator", params={"page_size": 500})).json()
        assert not customers & {line["customer_id"] for line in left["lines"]}
        nobody = {"all": True, "account_manager_id": f"nobody-{uuid.uuid4().hex[:6]}"}
        nothing = await accountant.post("/api/v1/runs", json=nobody)
        assert nothing.status_code == 409 and nothing.json()["title"].startswith("Nothing")


async def test_a_sync_is_requested_in_the_callers_name(stack: Stack, keys: dict[str, str],
                                                       admin: Any) -> None:
    name = next(k["name"] for k in (await admin.get("/api/v1/keys")).json()["items"]
                if k["role"] == "accountant")
    async with stack.client(keys["accountant"]) as accountant:
        response = await accountant.post("/api/v1/adtracker/syncs",
                                         json={"connector": CONNECTOR, "scope": "partial"})
        assert response.status_code == 202
        job_id = response.json()["job_id"]
        sync = (await accountant.get(f"/api/v1/adtracker/syncs/{job_id}")).json()
        assert sync["requested_by"] == name and sync["scope"] == "partial"
        unknown = await accountant.post("/api/v1/adtracker/syncs",
                                        json={"connector": "elsewhere", "scope": "standard"})
        assert unknown.status_code == 404  # the sync's own answer, passed through


async def test_a_service_that_is_down_is_a_502_problem(keys: dict[str, str],
                                                       stack: Stack) -> None:
    async with stack.client(keys["viewer"]) as viewer:
        for path in ("/api/v1/jobs", f"/api/v1/invoices/{uuid.uuid4()}/pdf"):
            response = await viewer.get(path, headers={"X-Request-Id": "down-1"})
            assert response.status_code == 502
            assert response.json()["detail"].endswith("service is not reachable.")
            assert response.json()["request_id"] == "down-1"


async def test_openapi_is_served_without_a_key(stack: Stack) -> None:
    async with stack.client() as anyone:
        doc = (await anyone.get("/api/v1/openapi.json")).json()
    assert doc["info"]["title"] == "affbill gateway"
    assert "/api/v1/runs" in doc["paths"]

