"""Standard and partial syncs against the simulator: formats, changes, faults, honesty."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

import httpx
import pytest

from affbill_contracts import topics
from affbill_runtime.service import service_app
from affbill_sync.entrypoints import http as sync_http
from tests.integration.conftest import START, WINDOW, Simulator, SyncWorld
from tests.signing import SignedAsGateway

pytestmark = pytest.mark.integration


def by_key(facts: list[Any]) -> dict[str, Any]:
    return {f.payload.stat_key: f.payload for f in facts}


async def truth(sim: Simulator) -> dict[tuple[str, str], Decimal]:
    rows = await sim.control("GET", "/truth", params={"date_from": WINDOW[0].isoformat(),
                                                      "date_to": WINDOW[1].isoformat()})
    return {(str(r["advertiser_id"]), r["currency"]): Decimal(str(r["revenue"])) for r in rows}


def revenue_per_advertiser(facts: list[Any]) -> dict[tuple[str, str], Decimal]:
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for f in facts:
        sums[(f.payload.advertiser_id, f.payload.currency)] += f.payload.revenue
    return dict(sums)


@pytest.mark.parametrize("kind", ["hasoffers", "everflow"])
async def test_standard_sync_publishes_every_entity_and_the_exact_revenue(
        world: SyncWorld, sim: Simulator, kind: str) -> None:
    run = await world.sync("standard", kind)
    assert run["status"] == "succeeded", run["reason"]
    job = world.jobs[-1]
    stats = await world.facts(topics.ADTRACKER_STATS, job)
    assert len(stats) == run["counts"]["stat"]["published"] == 10 * 30
    assert len(by_key(stats)) == len(stats)
    assert revenue_per_advertiser(stats) == await truth(sim)
    assert len(await world.facts(topics.ADTRACKER_ADVERTISERS, job)) == 4
    assert len(await world.facts(topics.ADTRACKER_AFFILIATES, job)) == 6
    assert len(await world.facts(topics.ADTRACKER_EMPLOYEES, job)) == 3
    pending = await world.facts(topics.ADTRACKER_CONVERSIONS, job)
    assert pending and all(c.payload.status == "pending" for c in pending)
    lines = await world.log_lines(job)
    assert lines[0].startswith(f"Standard sync of {world.connector(kind)} started")
    assert lines[-1].startswith("Sync succeeded: ")


async def test_both_formats_give_the_same_facts(world: SyncWorld) -> None:
    await world.sync("standard", "hasoffers")
    ho = await world.facts(topics.ADTRACKER_STATS, world.jobs[-1])
    await world.sync("standard", "everflow")
    ef = await world.facts(topics.ADTRACKER_STATS, world.jobs[-1])

    def strip(facts: list[Any]) -> set[tuple[Any, ...]]:
        return {(f.payload.date, f.payload.advertiser_id, f.payload.offer_id,
                 f.payload.affiliate_id, f.payload.currency, f.payload.conversions,
                 f.payload.revenue, f.payload.payout) for f in facts}

    assert strip(ho) == strip(ef)


async def test_a_second_sync_over_unchanged_data_publishes_nothing(world: SyncWorld,
                                                                   sim: Simulator) -> None:
    await world.sync("standard")
    await sim.control("DELETE", "/requests")
    run = await world.sync("partial")
    assert run["status"] == "succeeded"
    assert run["counts"]["stat"]["published"] == 0
    assert run["counts"]["conversion"]["published"] == 0
    assert await world.facts(topics.ADTRACKER_STATS, world.jobs[-1]) == []
    # the probe alone answered: no detailed stat pages were read
    details = [r for r in await sim.requests()
               if "getStats" in r["query"] and "Stat.offer_id" in r["query"]]
    assert details == []
    again = await world.sync("standard")
    assert again["counts"]["stat"]["published"] == 0
    assert again["counts"]["stat"]["unchanged"] == 300


async def test_restated_day_publishes_only_the_changed_rows(world: SyncWorld,
                                                            sim: Simulator) -> None:
    await world.sync("standard")
    first = by_key(await world.facts(topics.ADTRACKER_STATS, world.jobs[-1]))
    day = START.isoformat()
    rows = sorted((p for p in first.values() if p.date.isoformat() == day),
                  key=lambda p: p.stat_key)
    changed, removed = rows[0], rows[1]
    new = dict(date=day, advertiser_id=rows[2].advertiser_id, offer_id=rows[2].offer_id,
               affiliate_id="1099", currency=rows[2].currency, revenue="5.00000",
               payout="1.00000", conversions=1)
    await sim.control("POST", "/restate", json={"changes": [
        dict(date=day, advertiser_id=changed.advertiser_id, offer_id=changed.offer_id,
             affiliate_id=changed.affiliate_id, currency=changed.currency, revenue="999.12345"),
        dict(date=day, advertiser_id=removed.advertiser_id, offer_id=removed.offer_id,
             affiliate_id=removed.affiliate_id, currency=removed.currency, removed=True),
        new]})
    run = await world.sync("partial")
    facts = by_key(await world.facts(topics.ADTRACKER_STATS, world.jobs[-1]))
    assert run["counts"]["stat"]["published"] == 3 == len(facts)
    assert facts[changed.stat_key].revenue == Decimal("999.12345")
    assert facts[removed.stat_key].removed and facts[removed.stat_key].revenue == 0
    assert any(k.endswith("|1099|" + rows[2].currency) for k in facts)


async def test_a_conversion_status_change_is_one_new_fact(world: SyncWorld,
                                                          sim: Simulator) -> None:
    await world.sync("standard")
    pending = await world.facts(topics.ADTRACKER_CONVERSIONS, world.jobs[-1])
    target = pending[0].payload.conversion_id
    await sim.control("POST", f"/conversions/{target}/status", json={"status": "approved"})
    await world.sync("partial")
    facts = await world.facts(topics.ADTRACKER_CONVERSIONS, world.jobs[-1])
    assert [(f.payload.conversion_id, f.payload.status) for f in facts] == [(target, "approved")]
    await sim.control("POST", f"/conversions/{target}/status", json={"status": "rejected"})
    await world.sync("partial")
    facts = await world.facts(topics.ADTRACKER_CONVERSIONS, world.jobs[-1])
    assert [(f.payload.conversion_id, f.payload.status) for f in facts] == [(target, "rejected")]


@pytest.mark.parametrize(("row", "reason"), [
    ({"field": "revenue", "value": "abc"}, "revenue: not a number: 'abc'"),
    ({"field": "currency", "value": "XXX"}, "currency: unknown currency 'XXX'"),
    ({"field": "advertiser_id", "value": None}, "advertiser_id: missing id"),
])
async def test_malformed_rows_are_quarantined_and_the_rest_arrives(
        world: SyncWorld, sim: Simulator, row: dict[str, Any], reason: str) -> None:
    await sim.control("POST", "/faults", json={"kind": "malformed_row", "times": 1,
                                               "path_contains": "getStats", "row": row})
    run = await world.sync("standard")
    job = world.jobs[-1]
    assert run["status"] == "succeeded_with_warnings"
    assert run["counts"]["stat"]["quarantined"] == 1
    assert len(await world.facts(topics.ADTRACKER_STATS, job)) == 299
    [bad] = await world.quarantined(job)
    assert bad["entity"] == "stat" and reason in bad["reason"] and bad["raw"]
    app = service_app(world.runtime, title="affbill sync",
                      http_routers=[sync_http.build_router(world.runtime)])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s",
                                 auth=SignedAsGateway(world.runtime.settings.signing_key)) as c:
        listed = (await c.get("/quarantine", params={"job_id": str(job)})).json()
        assert [q["reason"] for q in listed] == [bad["reason"]]
        assert (await c.get(f"/syncs/{job}")).json()["status"] == "succeeded_with_warnings"
        assert "token" not in (await c.get("/connectors")).text
    assert any(line.startswith("Quarantined stat") and reason in line
               for line in await world.log_lines(job))
    # next time the row is fine: it arrives, and only it
    again = await world.sync("partial")
    assert again["counts"]["stat"]["published"] == 1
    assert again["status"] == "succeeded"


@pytest.mark.parametrize("kind", ["http_500", "http_504", "timeout", "rate_limit"])
async def test_transient_faults_are_retried(world: SyncWorld, sim: Simulator, kind: str) -> None:
    fault: dict[str, Any] = {"kind": kind, "times": 2, "path_contains": "getStats"}
    if kind == "timeout":
        fault["seconds"] = 3
    await sim.control("POST", "/faults", json=fault)
    await sim.control("DELETE", "/requests")
    run = await world.sync("standard")
    assert run["status"] == "succeeded", run["reason"]
    assert run["counts"]["stat"]["published"] == 300
    outcomes = Counter(r["outcome"] for r in await sim.requests())
    assert outcomes[f"fault:{kind}"] + outcomes["rate_limited"] >= 2


async def test_rate_limit_is_honoured_with_backoff(world: SyncWorld, sim: Simulator) -> None:
    await sim.reset(rate_limit=6)
    await sim.control("DELETE", "/requests")
    run = await world.sync("standard")
    assert run["status"] == "succeeded", run["reason"]
    log = await sim.requests()
    limited = [r for r in log if r["outcome"] == "rate_limited"]
    assert limited, "the scenario must hit the limit"
    after = log[log.index(limited[-1]) + 1:]
    assert any(r["outcome"] == "ok" for r in after)


async def test_auth_error_fails_clearly_and_changes_nothing(world: SyncWorld,
                                                            sim: Simulator) -> None:
    good = world.settings.connectors[0]
    world.settings.connectors[0] = good.model_copy(update={"token": "wrong"})
    run = await world.sync("standard")
    assert run["status"] == "failed"
    assert "employee sync failed" in run["reason"] and "NetworkToken" in run["reason"]
    assert await world.facts(topics.ADTRACKER_EMPLOYEES, world.jobs[-1]) == []
    world.settings.connectors[0] = good
    run = await world.sync("standard")
    assert run["counts"]["employee"]["published"] == 3  # cursors were left as they were


async def test_exhausted_retries_fail_the_step_and_publish_nothing_of_it(
        world: SyncWorld, sim: Simulator) -> None:
    await sim.control("POST", "/faults", json={"kind": "http_500", "times": 100,
                                               "path_contains": "getStats"})
    run = await world.sync("standard")
    assert run["status"] == "failed" and "stat sync failed" in run["reason"]
    assert "gave up after 4 attempts" in run["reason"]
    assert await world.facts(topics.ADTRACKER_STATS, world.jobs[-1]) == []
    assert len(await world.facts(topics.ADTRACKER_ADVERTISERS, world.jobs[-1])) == 4
    await sim.control("DELETE", "/faults")
    again = await world.sync("partial")
    assert again["counts"]["stat"]["published"] == 300


async def test_empty_window_and_partial_last_page(world: SyncWorld, sim: Simulator) -> None:
    import datetime as dt

    empty = (WINDOW[1] + dt.timedelta(days=30), WINDOW[1] + dt.timedelta(days=31))
    run = await world.sync("partial", window=empty)
    assert run["status"] == "succeeded" and run["counts"]["stat"]["fetched"] == 0
    await sim.reset(rows_per_day=33)  # 330 rows with 100 per page: last page holds 30
    run = await world.sync("standard")
    assert run["counts"]["stat"]["published"] == 330


async def test_a_republishing_sync_publishes_every_row_again_with_its_payout(
        world: SyncWorld) -> None:
    """The upgrade path for payout items: rows synced before billing kept payouts are
    published again, unchanged, so billing derives them; a second republish repeats the
    same event ids (consumers that keep ids see it once)."""
    await world.sync("standard")
    first = {e.payload.stat_key: e for e in await world.facts(topics.ADTRACKER_STATS,
                                                               world.jobs[-1])}
    again = await world.sync("standard", republish=True)
    assert again["status"] == "succeeded"
    assert again["counts"]["stat"]["published"] == 300
    assert again["counts"]["stat"]["unchanged"] == 0
    republished = {e.payload.stat_key: e for e in await world.facts(topics.ADTRACKER_STATS,
                                                                     world.jobs[-1])}
    assert republished.keys() == first.keys()
    assert all(republished[k].payload.payout == first[k].payload.payout
               and republished[k].event_id != first[k].event_id for k in first)
    twice = await world.sync("standard", republish=True)
    assert twice["counts"]["stat"]["published"] == 300
    ids = {e.payload.stat_key: e.event_id for e in await world.facts(topics.ADTRACKER_STATS,
                                                                      world.jobs[-1])}
    assert ids == {k: e.event_id for k, e in republished.items()}
    normal = await world.sync("standard")  # the fingerprints were kept as they were
    assert normal["counts"]["stat"]["published"] == 0
