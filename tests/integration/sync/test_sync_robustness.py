"""A sync killed midway and re-run; data changing while it is paged; Everflow's 10,000 rows."""

from __future__ import annotations

import asyncio
import json
import signal
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from affbill_contracts import topics
from affbill_runtime.messaging import ensure_topics, start_groups_at_end
from affbill_sync.adapters.connectors import build_connector
from affbill_sync.adapters.connectors.base import DataChanged
from affbill_sync.domain.model import StatFact
from affbill_sync.service_layer import worker as worker_module
from tests.integration.conftest import START, WINDOW, Simulator, SyncWorld
from tests.processes import INTERNAL_SECRET, free_port, start_service, wait_ready
from tests.signing import SignedAsGateway

pytestmark = pytest.mark.integration


async def test_sync_killed_midway_and_rerun_publishes_every_fact_once_in_effect(
        world: SyncWorld, sim: Simulator, database_url: str, kafka_bootstrap: str,
        tmp_path: Path) -> None:
    await sim.reset(days=10, rows_per_day=12000, advertisers=20, offers_per_advertiser=5,
                    affiliates=200)  # 120,000 rows
    connector = world.settings.connectors[0].model_copy(update={"page_size": 2000})
    group = f"test-sync-{uuid.uuid4().hex[:8]}"  # reads only the commands sent from now on
    await ensure_topics(kafka_bootstrap)
    await start_groups_at_end(kafka_bootstrap, {group: topics.SYNC_REQUESTS})
    env = {"DATABASE_URL": database_url, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
           "AFFBILL_SYNC_SERVICE_NAME": world.settings.service_name,
           "AFFBILL_SYNC_CONSUMER_GROUP": group,
           "AFFBILL_SYNC_LEASE_S": "6",  # the killed process's lease runs out soon
           "AFFBILL_SYNC_CONNECTORS": json.dumps([json.loads(connector.model_dump_json())]),
           "AFFBILL_INTERNAL_SECRET": INTERNAL_SECRET}
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    signed = SignedAsGateway(INTERNAL_SECRET)  # the service answers only the gateway
    proc = start_service("affbill-sync", port, env, tmp_path / "sync.log")
    try:
        wait_ready(f"{url}/health/ready", proc)
        await world.mark()
        job = httpx.post(f"{url}/syncs", json={  # noqa: ASYNC210 blocking is fine in this test
            "connector": connector.id, "scope": "partial", "date_from": WINDOW[0].isoformat(),
            "date_to": WINDOW[1].isoformat()}, auth=signed).json()["job_id"]
        deadline = time.monotonic() + 60
        while True:  # wait until it is in the middle of the stats
            run = httpx.get(f"{url}/syncs/{job}", auth=signed).json()  # noqa: ASYNC210
            if run["counts"].get("stat", {}).get("published", 0) > 10_000:
                break
            # "requested" while the command travels through sync.requests to the consumer
            assert run["status"] in ("requested", "queued", "running"), run
            assert time.monotonic() < deadline, run
            await asyncio.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        # the restart finds the run, its lease ran out: it resumes
        proc = start_service("affbill-sync", port, env, tmp_path / "sync.log")
        wait_ready(f"{url}/health/ready", proc)
        deadline = time.monotonic() + 120
        waiting = ("running", "queued", "requested")
        while (run := httpx.get(f"{url}/syncs/{job}",  # noqa: ASYNC210 blocking is fine here
                                auth=signed).json())["status"] in waiting:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.2)
        assert run["status"] == "succeeded", (run["reason"],
                                              (tmp_path / "sync.log").read_text()[-2500:])
    finally:
        proc.terminate()
        proc.wait(20)
    facts = await world.facts(topics.ADTRACKER_STATS, uuid.UUID(job))
    keys = [f.payload.stat_key for f in facts]
    assert len(set(keys)) == 120_000  # every fact
    # a fact seen twice carries the same event id: consumers apply it once
    by_event = {f.event_id: f.payload.stat_key for f in facts}
    assert len(by_event) == len(set(keys))


async def test_data_changing_between_pages_is_read_again(
        world: SyncWorld, sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    world.settings.connectors[0] = world.settings.connectors[0].model_copy(
        update={"page_size": 50, "concurrency": 1})
    last_day = WINDOW[1].isoformat()  # not read yet when the change happens
    new_row = dict(date=last_day, advertiser_id="1", offer_id="1", affiliate_id="1099",
                   currency="EUR", revenue="7.00000", payout="1.00000", conversions=1)
    restated = False

    async def restate_after_first_page(response: httpx.Response) -> None:
        nonlocal restated
        if not restated and "getStats" in str(response.url) and "Stat.offer_id" in str(
                response.url) and response.url.params.get("page") == "2":
            restated = True  # page 1 was read; the result grows before page 3
            await sim.control("POST", "/restate", json={"changes": [new_row]})

    def hooked(config: Any) -> Any:
        connector = build_connector(config)
        connector._http.event_hooks["response"].append(restate_after_first_page)
        return connector

    monkeypatch.setattr(worker_module, "build_connector", hooked)
    run = await world.sync("standard")
    assert restated and run["status"] == "succeeded", run
    facts = await world.facts(topics.ADTRACKER_STATS, world.jobs[-1])
    keys = [f.payload.stat_key for f in facts]
    assert len(keys) == len(set(keys)) == 301  # every row once, the new one included
    assert any("|1099|" in k for k in keys)


async def test_paging_notices_a_changed_total(world: SyncWorld, sim: Simulator) -> None:
    config = world.settings.connectors[0].model_copy(update={"page_size": 50, "concurrency": 1})
    connector = build_connector(config)

    async def grow(response: httpx.Response) -> None:
        if response.url.params.get("page") == "1" and "Stat.offer_id" in str(response.url):
            await sim.control("POST", "/restate", json={"changes": [dict(
                date=START.isoformat(), advertiser_id="1", offer_id="1", affiliate_id="1098",
                currency="EUR", revenue="1.00000", payout="0.00000", conversions=0)]})

    connector._http.event_hooks["response"].append(grow)
    try:
        with pytest.raises(DataChanged, match="changed while paging"):
            async for _ in connector.stat_days(*WINDOW):
                pass
    finally:
        await connector.aclose()


async def test_everflow_splits_windows_until_reports_are_complete(world: SyncWorld,
                                                                  sim: Simulator) -> None:
    await sim.reset(days=7, rows_per_day=2000, advertisers=20, offers_per_advertiser=5,
                    affiliates=200)  # 14,000 rows in one 7-day chunk > 10,000
    await sim.control("DELETE", "/requests")
    connector = build_connector(world.settings.connectors[1])
    rows: list[Any] = []
    try:
        async for _, facts in connector.stat_days(START, START.replace(day=START.day + 6)):
            rows += facts
    finally:
        await connector.aclose()
    assert len(rows) == 14_000 and all(isinstance(r, StatFact) for r in rows)
    tables = [r for r in await sim.requests() if "entity/table" in r["path"]]
    assert len(tables) >= 3  # the 7 days, then its halves
