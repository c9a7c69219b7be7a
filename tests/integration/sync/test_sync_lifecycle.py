"""A sync's lifecycle: one entrance, a bounded window, cancelling, a lapsed lease taken over."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from affbill_contracts import Envelope, StartSync, decode, topics
from affbill_contracts.sync import CancelSync, SyncScope
from affbill_runtime.problems import install_problem_handlers
from affbill_sync.adapters import queue
from affbill_sync.entrypoints import http as sync_http
from affbill_sync.service_layer import handlers
from tests.integration.conftest import WINDOW, Simulator, SyncWorld

pytestmark = pytest.mark.integration


@pytest.fixture
async def api(world: SyncWorld) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(sync_http.build_router(world.runtime))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://sync") as client:
        yield client


async def deliver_commands(world: SyncWorld, seen: set[uuid.UUID]) -> int:
    """What the service's consumer does with the commands its routes wrote to the outbox."""
    async with world.runtime.engine.connect() as conn:
        values = (await conn.execute(text("select value from outbox where topic = :t order by id"),
                                     {"t": topics.SYNC_REQUESTS})).scalars().all()
    delivered = 0
    for envelope in map(decode, values):
        if envelope.event_id in seen:
            continue
        seen.add(envelope.event_id)
        if isinstance(envelope.payload, CancelSync):
            await handlers.cancel_sync(world.runtime.uow(), envelope)
        else:
            await handlers.request_sync(world.runtime.uow(), envelope, world.settings)
        delivered += 1
    return delivered


def body(world: SyncWorld, window: tuple[dt.date, dt.date] = WINDOW) -> dict[str, Any]:
    return {"connector": world.connector(), "scope": "standard", "requested_by": "test",
            "date_from": window[0].isoformat(), "date_to": window[1].isoformat()}


async def finished_job(world: SyncWorld, job_id: uuid.UUID) -> Any:
    [finished] = [e.payload for e in await world.job_events(job_id)
                  if e.type == "jobs.job.finished"]
    return finished


async def test_the_http_route_only_writes_the_command(world: SyncWorld,
                                                      api: httpx.AsyncClient) -> None:
    answer = await api.post("/syncs", json=body(world))
    assert answer.status_code == 202
    job_id = uuid.UUID(answer.json()["job_id"])
    assert (await world.run_or_none(job_id)) is None  # nothing queued behind the consumer's back
    assert (await api.get(f"/syncs/{job_id}")).json()["status"] == "requested"
    seen: set[uuid.UUID] = set()
    assert await deliver_commands(world, seen) == 1
    assert await deliver_commands(world, set()) == 1 and await world.queued() == 1  # once
    assert (await api.get(f"/syncs/{job_id}")).json()["status"] == "queued"
    await world.mark()
    assert await world.runtime.state.worker.run_next()
    assert (await world.run(job_id))["status"] == "succeeded"
    assert len(await world.facts(topics.ADTRACKER_STATS, job_id)) == 300


async def test_a_window_over_the_limit_is_refused_with_its_reason(
        world: SyncWorld, api: httpx.AsyncClient) -> None:
    long = (dt.date(2024, 1, 1), dt.date(2025, 3, 1))
    answer = await api.post("/syncs", json=body(world, long))
    assert answer.status_code == 422
    assert "at most 400" in answer.json()["title"] and "426 days" in answer.json()["title"]
    backwards = await api.post("/syncs", json=body(world, (WINDOW[1], WINDOW[0])))
    assert backwards.status_code == 422
    assert "date_from must not be after date_to" in backwards.json()["detail"]
    assert await world.queued() == 0
    # the same command sent straight to sync.requests ends as a failed job with the reason
    job_id = uuid.uuid4()
    request = StartSync(connector=world.connector(), scope="partial", date_from=long[0],
                        date_to=long[1], requested_by="test")
    await handlers.request_sync(world.runtime.uow(), Envelope.wrap(request, job_id=job_id),
                                world.settings)
    assert await world.runtime.state.worker.run_next()
    run = await world.run(job_id)
    assert run["status"] == "failed" and "at most 400" in run["reason"]


async def test_a_queued_sync_is_cancelled_before_it_starts(world: SyncWorld,
                                                           api: httpx.AsyncClient) -> None:
    job_id = uuid.UUID((await api.post("/syncs", json=body(world))).json()["job_id"])
    seen: set[uuid.UUID] = set()
    await deliver_commands(world, seen)
    answer = await api.post(f"/syncs/{job_id}/cancel", json={"requested_by": "anna"})
    assert answer.status_code == 202
    await deliver_commands(world, seen)
    run = await world.run(job_id)
    assert run["status"] == "cancelled" and "anna" in run["reason"]
    assert not await world.runtime.state.worker.run_next()  # nothing left to run
    finished = await finished_job(world, job_id)
    assert finished.status == "cancelled"
    assert (await api.post(f"/syncs/{job_id}/cancel")).status_code == 409
    assert (await api.post(f"/syncs/{uuid.uuid4()}/cancel")).status_code == 404


async def test_a_running_sync_is_cancelled_and_publishes_nothing_of_its_step(
        world: SyncWorld, sim: Simulator, api: httpx.AsyncClient) -> None:
    world.settings.lease_s = 1.5  # renewals (and stop requests seen) every half second
    # stats hang from their second page on: the stat step is mid-way when the stop comes
    await sim.control("POST", "/faults", json={"kind": "timeout", "times": 50, "seconds": 30,
                                               "path_contains": "page=2"})
    job_id = uuid.UUID((await api.post("/syncs", json=body(world))).json()["job_id"])
    seen: set[uuid.UUID] = set()
    await deliver_commands(world, seen)
    await world.mark()
    worker = asyncio.create_task(world.runtime.state.worker.run_next())
    for _ in range(200):  # the three partner steps are done: the stat step runs
        if "affiliate" in (await world.run(job_id))["counts"]:
            break
        await asyncio.sleep(0.1)
    assert (await world.run(job_id))["status"] == "running"
    await asyncio.sleep(1)
    assert (await api.post(f"/syncs/{job_id}/cancel", json={"requested_by": "anna"})
            ).status_code == 202
    await deliver_commands(world, seen)
    assert await asyncio.wait_for(worker, 30)
    run = await world.run(job_id)
    assert run["status"] == "cancelled" and run["reason"] == "Cancelled by anna"
    assert (await finished_job(world, job_id)).status == "cancelled"
    assert await world.facts(topics.ADTRACKER_STATS, job_id) == []  # the step was aborted
    assert len(await world.facts(topics.ADTRACKER_ADVERTISERS, job_id)) == 4  # done before
    await sim.control("DELETE", "/faults")
    assert (await world.sync("standard"))["counts"]["stat"]["published"] == 300


async def test_a_lapsed_lease_is_taken_over_without_a_restart(world: SyncWorld) -> None:
    job_id = uuid.uuid4()
    request = StartSync(connector=world.connector(), scope="standard", date_from=WINDOW[0],
                        date_to=WINDOW[1], requested_by="test")
    await handlers.request_sync(world.runtime.uow(), Envelope.wrap(request, job_id=job_id),
                                world.settings)
    # a process claimed it and died: nobody renews its lease
    assert (await queue.claim(world.runtime.engine, lease_s=0.2)).job_id == job_id
    await world.mark()
    worker = asyncio.create_task(world.runtime.state.worker.run())
    try:
        for _ in range(300):
            if (await world.run(job_id))["status"] not in ("queued", "running"):
                break
            await asyncio.sleep(0.1)
        run = await world.run(job_id)
        assert run["status"] == "succeeded" and run["attempts"] == 2
        assert any(line.startswith("Resumed: the process running it stopped renewing its lease")
                   for line in await world.log_lines(job_id))
        assert len(await world.facts(topics.ADTRACKER_STATS, job_id)) == 300

        # the last attempt lapses too: the sync is failed as abandoned, the queue goes on
        async with world.runtime.engine.begin() as conn:
            await conn.execute(text(
                "update sync_runs set status = 'running', attempts = 3, lease_until = now() "
                "where job_id = :j"), {"j": job_id})
        after = uuid.uuid4()
        await handlers.request_sync(world.runtime.uow(), Envelope.wrap(
            request.model_copy(update={"scope": SyncScope.PARTIAL}), job_id=after), world.settings)
        world.runtime.state.worker.wake()
        for _ in range(300):
            if (await world.run(after))["status"] not in ("queued", "running"):
                break
            await asyncio.sleep(0.1)
    finally:
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker
    run = await world.run(job_id)
    assert run["status"] == "failed" and run["reason"].startswith("Abandoned:")
    finished = [e.payload for e in await world.job_events(job_id)
                if e.type == "jobs.job.finished"]
    assert finished[-1].status == "failed" and finished[-1].reason == run["reason"]
    assert (await world.run(after))["status"] == "succeeded"
