"""Following a job's lines: production order, a cursor that never skips a late line,
and long polls woken by the consumer (in process) or by another replica (NOTIFY)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from affbill_jobs.bootstrap import bootstrap
from affbill_runtime.runtime import Runtime
from tests.integration.jobs.conftest import Story, api_of, record

pytestmark = pytest.mark.integration


async def read_all(api: httpx.AsyncClient, job_id: uuid.UUID, after: str | None,
                   limit: int) -> tuple[list[str], str]:
    texts: list[str] = []
    while True:
        params: dict[str, Any] = {"limit": limit} | ({"after": after} if after else {})
        page = (await api.get(f"/jobs/{job_id}/lines", params=params)).json()
        texts += [x["text"] for x in page["items"]]
        if not page["items"]:
            return texts, after or page["next"]
        after = page["next"]


async def test_pages_in_production_order_and_a_late_line_is_never_skipped(
        jobs_runtime: Runtime, api: httpx.AsyncClient) -> None:
    s = Story()
    billing = [s.line(i, 1000 + i, f"b{i:03}") for i in range(0, 240, 2)]
    documents = [s.line(i, 5000 + i, f"d{i:03}", service="documents") for i in range(1, 240, 2)]
    await record(jobs_runtime, s.started(0, 999), *billing[:60], *documents[:40])
    await record(jobs_runtime, *billing[60:], *documents[40:100])
    texts, cursor = await read_all(api, s.job_id, None, limit=35)
    shown = sorted(f"{t[1:]}{t[0]}" for t in texts)
    assert texts == [f"{t[-1]}{t[:-1]}" for t in shown]  # by time across both services
    assert len(texts) == 220

    late = s.line(0.5, 4999, "d000 produced early, arrived late", service="documents")
    await record(jobs_runtime, late, *documents[100:])
    more, cursor = await read_all(api, s.job_id, cursor, limit=7)
    assert more[0] == "d000 produced early, arrived late" and len(more) == 21
    assert len(set(texts + more)) == 241  # each line exactly once
    detail = (await api.get(f"/jobs/{s.job_id}")).json()
    assert detail["lines"]["total"] == 241
    assert [x["text"] for x in detail["lines"]["items"][:3]] == [
        "b000", "d000 produced early, arrived late", "d001"]  # shown where it was produced


async def test_long_poll_returns_lines_as_the_consumer_commits_them(
        consuming: Runtime, api: httpx.AsyncClient,
        publish: Callable[..., Awaitable[None]]) -> None:
    s = Story()
    await publish(s.started(0, 1), s.line(1, 2, "first"))
    for _ in range(200):
        page = (await api.get(f"/jobs/{s.job_id}/lines")).json() if (
            await api.get(f"/jobs/{s.job_id}")).status_code == 200 else {"items": []}
        if page["items"]:
            break
        await asyncio.sleep(0.25)
    assert [x["text"] for x in page["items"]] == ["first"] and not page["finished"]

    waiting = asyncio.create_task(api.get(f"/jobs/{s.job_id}/lines",
                                          params={"after": page["next"], "wait": 30}))
    await asyncio.sleep(0.3)
    assert not waiting.done()
    await publish(s.line(2, 3, "second"))
    second = (await waiting).json()
    assert [x["text"] for x in second["items"]] == ["second"] and not second["finished"]

    ending = asyncio.create_task(api.get(f"/jobs/{s.job_id}/lines",
                                         params={"after": second["next"], "wait": 30}))
    await publish(s.finished(3, 4))
    end = (await ending).json()
    assert end["finished"] and end["next"] == second["next"]


async def test_a_follower_on_another_replica_is_woken_by_notify(
        jobs_runtime: Runtime, database_url: str) -> None:
    settings = jobs_runtime.settings.model_copy(update={"follow_poll_s": 120})
    replica = bootstrap(settings)  # same schema: only NOTIFY can wake its followers in time
    listening = asyncio.create_task(replica.state.listener.run())
    try:
        await asyncio.wait_for(replica.state.listener.listening.wait(), 30)
        s = Story()
        await record(jobs_runtime, s.started(0, 1))
        async with api_of(replica) as other:
            waiting = asyncio.create_task(other.get(f"/jobs/{s.job_id}/lines",
                                                    params={"wait": 20}))
            await asyncio.sleep(0.3)
            await record(jobs_runtime, s.line(1, 2, "from the consumer of another replica"))
            page = (await waiting).json()
        assert [x["text"] for x in page["items"]] == ["from the consumer of another replica"]
        assert replica.state.board.watched == 0  # nothing left behind
    finally:
        listening.cancel()
        await asyncio.gather(listening, return_exceptions=True)
        await replica.engine.dispose()


async def test_a_wait_without_news_answers_empty_with_the_same_cursor(
        jobs_runtime: Runtime, api: httpx.AsyncClient) -> None:
    s = Story()
    await record(jobs_runtime, s.started(0, 1), s.line(1, 2, "only"))
    first = (await api.get(f"/jobs/{s.job_id}/lines")).json()
    quiet = (await api.get(f"/jobs/{s.job_id}/lines",
                           params={"after": first["next"], "wait": 0.6})).json()
    assert quiet == {"items": [], "next": first["next"], "finished": False, "total": 1}
