"""Issue 13, point 11: an audit trail of every change, read back through the gateway.

The real gateway, billing and sync processes (tests/integration/gateway/conftest.py): a
profile and a draft are edited, the draft approved, issued and cancelled, another draft
discarded, keys made and a sync requested; then the trail is read through
GET /api/v1/audit with who, when, before and after of every entry and an intact chain.
A row altered by the table's owner (trigger disabled) or inserted with a made-up hash is
found by GET /api/v1/audit/verify.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg
import httpx
import pytest

from affbill_runtime.settings import asyncpg_url
from tests.integration.gateway import conftest as gateway_stack
from tests.integration.gateway.conftest import CONNECTOR, Stack, seed_customer

pytestmark = pytest.mark.integration
stack, admin = gateway_stack.stack, gateway_stack.admin  # the gateway tests' fixtures


async def new_key(admin: httpx.AsyncClient, name: str, role: str) -> str:
    response = await admin.post("/api/v1/keys", json={"name": name, "role": role})
    assert response.status_code == 201, response.text
    return response.json()["key"]


async def trail(admin: httpx.AsyncClient, service: str, **filters: Any) -> list[dict[str, Any]]:
    """Every matching entry, oldest first, read page by page."""
    entries: list[dict[str, Any]] = []
    while True:
        page = await admin.get("/api/v1/audit", params={
            "service": service, "limit": 2, "offset": len(entries), **filters})
        assert page.status_code == 200, page.text
        body = page.json()
        entries += body["items"]
        if len(entries) >= body["total"]:
            return entries[::-1]


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


async def test_every_change_is_in_the_trail_with_an_intact_chain(
        stack: Stack, admin: httpx.AsyncClient) -> None:
    run = uuid.uuid4().hex[:6]
    anna_name, ben_name = f"anna-{run}@network.example", f"ben-{run}@network.example"
    anna = stack.client(await new_key(admin, anna_name, "accountant"))
    ben = stack.client(await new_key(admin, ben_name, "accountant"))
    customer = await seed_customer(stack)
    async with anna, ben:
        profile = await ok(await anna.get(f"/api/v1/customers/{customer}/profile"))
        await ok(await anna.patch(f"/api/v1/customers/{customer}/profile",
                                  json={"payment_days": 30, "version": profile["version"]}))
        items = await ok(await anna.get(f"/api/v1/generator/{customer}/items"))
        draft = await ok(await anna.post("/api/v1/drafts", json={
            "customer_id": customer, "item_ids": [i["item_id"] for i in items["items"]]}), 201)
        did = draft["draft_id"]
        await ok(await ben.patch(f"/api/v1/drafts/{did}", json={
            "version": 1, "intro_text": "As agreed:"}))
        await ok(await anna.post(f"/api/v1/drafts/{did}/lines", json={
            "version": 2, "line": {"description": "Bonus", "unit_price": "5.00"}}), 201)
        await ok(await ben.post(f"/api/v1/drafts/{did}/approve", json={"version": 3}))
        issued = await ok(await anna.post(f"/api/v1/drafts/{did}/issue", json={"version": 3},
                                          headers={"X-Request-Id": f"issue-{run}"}))
        cancelled = await ok(await ben.post(f"/api/v1/invoices/{did}/cancel"), 201)
        custom = await ok(await anna.post("/api/v1/drafts/custom", json={
            "customer_id": customer, "supply_date": "2026-10-31",
            "lines": [{"description": "Setup", "unit_price": "9"}]}),
            201)
        await ok(await anna.delete(f"/api/v1/drafts/{custom['draft_id']}",
                                   params={"version": 1}), 204)
        await ok(await anna.post("/api/v1/adtracker/syncs",
                                 json={"connector": CONNECTOR, "scope": "partial"}), 202)
        for who in (anna, ben):  # accountants may not read the trail
            assert (await who.get("/api/v1/audit", params={"service": "billing"})
                    ).status_code == 403

    # the profile: before and after, who and with which role
    [change] = await trail(admin, "billing", entity_kind="billing_profile", entity_id=customer)
    assert change["action"] == "change"
    assert (change["actor"], change["actor_role"]) == (anna_name, "accountant")
    assert change["before"]["payment_days"] == profile["payment_days"]
    assert change["after"]["payment_days"] == 30
    assert change["after"]["version"] == profile["version"] + 1
    assert change["request_id"]

    # the draft's life, in order, each step by whom, with the state before and after
    life = await trail(admin, "billing", entity_id=did)
    assert [(e["entity_kind"], e["action"], e["actor"]) for e in life] == [
        ("draft", "create", anna_name), ("draft", "edit_presets", ben_name),
        ("draft", "edit_lines", anna_name), ("draft", "approve", ben_name),
        ("invoice", "issue", anna_name), ("invoice", "cancel", ben_name)]
    create, presets, lines, approve, issue, cancel = life
    assert create["before"] is None and create["after"]["version"] == 1
    assert sorted(create["after"]["item_ids"]) == sorted(i["item_id"] for i in items["items"])
    assert presets["before"]["presets"]["intro_text"] is None
    assert presets["after"]["presets"]["intro_text"] == "As agreed:"
    assert len(lines["after"]["lines"]) == len(lines["before"]["lines"]) + 1
    assert lines["after"]["lines"][-1]["description"] == "Bonus"
    assert lines["after"]["totals"]["net"] != lines["before"]["totals"]["net"]
    assert approve["before"] == {"version": 3, "approved_by": []}
    assert approve["after"] == {"version": 3, "approved_by": [ben_name]}
    assert issue["before"]["status"] == "draft" and issue["after"]["status"] == "issued"
    assert issue["after"]["number"] == issued["number"]
    assert issue["after"]["approved_by"] == [ben_name]
    assert issue["request_id"] == f"issue-{run}"
    assert cancel["before"]["status"] == "issued" and cancel["after"]["status"] == "cancelled"
    assert cancel["after"]["cancelled_by_document"]["number"] == cancelled["number"]
    times = [dt.datetime.fromisoformat(e["at"]) for e in life]
    assert times == sorted(times) and [e["seq"] for e in life] == sorted(e["seq"] for e in life)

    [discard] = await trail(admin, "billing", entity_id=custom["draft_id"], action="discard")
    assert discard["before"]["lines"][0]["description"] == "Setup" and discard["after"] is None

    # filters: by user, by time
    by_ben = await trail(admin, "billing", user=ben_name)
    assert {e["action"] for e in by_ben} == {"edit_presets", "approve", "cancel"}
    assert await trail(admin, "billing", entity_id=did, **{"from": issue["at"]}) == [
        issue, cancel]
    assert await trail(admin, "billing", entity_id=did, to=issue["at"]) == life[:4]

    # keys (the users) in the gateway's trail, the sync request in the sync's
    keys = await trail(admin, "gateway", entity_kind="api_key", action="create")
    made = {e["after"]["name"]: e for e in keys}
    assert made[anna_name]["after"]["role"] == "accountant"
    assert made[anna_name]["actor_role"] == "admin"
    assert all("key_hash" not in e["after"] for e in keys)
    [sync] = [e for e in await trail(admin, "sync", entity_kind="sync")
              if e["actor"] == anna_name]
    assert sync["action"] == "request" and sync["after"]["scope"] == "partial"

    for service in ("billing", "gateway", "sync"):
        status = await ok(await admin.get("/api/v1/audit/verify", params={"service": service}))
        assert status["intact"] and status["problem"] is None, (service, status)
        assert status["entries"] == status["last_seq"] > 0


async def db(stack: Stack) -> asyncpg.Connection:
    url = asyncpg_url(stack.database_url).replace("postgresql+asyncpg://", "postgresql://")
    return await asyncpg.connect(url)


async def test_a_tampered_trail_is_found(stack: Stack, admin: httpx.AsyncClient) -> None:
    await new_key(admin, f"carl-{uuid.uuid4().hex[:6]}@network.example", "viewer")
    conn = await db(stack)
    try:
        # the table refuses UPDATE and DELETE to everyone, its owner included
        for statement in ("update gateway.audit_log set actor = 'nobody' where seq = 1",
                          "delete from gateway.audit_log where seq = 1",
                          "truncate gateway.audit_log"):
            with pytest.raises(asyncpg.PostgresError, match="append-only") as refused:
                await conn.execute(statement)
            assert refused.value.sqlstate == "AF002"
        # the owner disables the trigger and alters an entry: the chain shows it
        last = await conn.fetchval("select max(seq) from gateway.audit_log")
        async with conn.transaction():
            await conn.execute("alter table gateway.audit_log disable trigger "
                               "audit_log_append_only")
            await conn.execute("update gateway.audit_log set after = jsonb_set(after, '{role}', "
                               "'\"admin\"') where seq = $1", last)
            await conn.execute("alter table gateway.audit_log enable trigger "
                               "audit_log_append_only")
        status = await ok(await admin.get("/api/v1/audit/verify", params={"service": "gateway"}))
        assert not status["intact"] and status["broken_at"] == last
        assert status["problem"] == "hash does not match the entry's content"

        # an entry inserted with a made-up hash, in the sync's trail
        head = await conn.fetchrow("select seq, hash from sync.audit_log order by seq desc "
                                   "limit 1")
        seq = head["seq"] + 1 if head else 1
        await conn.execute(
            "insert into sync.audit_log (seq, at, actor, entity_kind, entity_id, action, "
            "after, prev_hash, hash) values ($1, now(), 'mallory', 'sync', 'x', 'request', "
            "'{}', $2, $3)", seq, head["hash"] if head else "0" * 64, "e" * 64)
        status = await ok(await admin.get("/api/v1/audit/verify", params={"service": "sync"}))
        assert not status["intact"] and status["broken_at"] == seq
    finally:
        await conn.close()
