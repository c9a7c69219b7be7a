"""jobs.events on the real broker → the job log read model on the real database."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from affbill_contracts import encode, topics
from affbill_runtime.runtime import Runtime
from tests.integration.jobs.conftest import Story, eventually

pytestmark = pytest.mark.integration
Publish = Callable[..., Awaitable[None]]


async def job_when(api: httpx.AsyncClient, job_id: uuid.UUID,
                   ready: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        response = await api.get(f"/jobs/{job_id}")
        return response.json() if response.status_code == 200 and ready(response.json()) else None
    return await eventually(probe)


async def test_published_events_show_in_the_job_log(consuming: Runtime, api: httpx.AsyncClient,
                                                    publish: Publish) -> None:
    s = Story()
    await publish(s.queued(0))
    queued = await job_when(api, s.job_id, lambda j: True)
    assert (queued["status"], queued["kind"], queued["started_by"]) == ("queued", "batch_run",
                                                                        "anna")
    await publish(s.started(1, 10), s.progress(2, 11, 1, 2, skipped=0),
                  s.line(3, 12, "Document INV-1 created for Acme"),
                  s.line(4, 13, "Skipped items with a total of 3.00 EUR (threshold 50.00 EUR)"),
                  s.progress(5, 14, 2, 2, skipped=1),
                  s.finished(6, 15, documents_created=1, customers_skipped=1))
    job = await job_when(api, s.job_id, lambda j: j["status"] != "queued"
                         and j["lines"]["finished"])
    assert job["status"] == "succeeded" and job["title"] == "batch_run of billing"
    assert job["started_at"] == "2026-11-26T10:00:01Z"
    assert job["finished_at"] == "2026-11-26T10:00:06Z"
    assert job["counts"] == {"documents_created": 1, "customers_skipped": 1}
    assert job["progress"] == [{"service": "billing", "step": "customers", "done": 2, "total": 2,
                                "counters": {"skipped": 1}}]
    assert [(x["level"], x["text"]) for x in job["lines"]["items"]] == [
        ("info", "Document INV-1 created for Acme"),
        ("info", "Skipped items with a total of 3.00 EUR (threshold 50.00 EUR)")]
    listed = (await api.get("/jobs", params={"started_by": "anna", "kind": "batch_run"})).json()
    assert [j["job_id"] for j in listed["items"]] == [str(s.job_id)]


async def test_redelivered_events_change_nothing(consuming: Runtime, api: httpx.AsyncClient,
                                                 publish: Publish) -> None:
    s = Story()
    events = [s.started(1, 10), s.line(2, 11, "one"), s.progress(3, 12, 1, 1),
              s.line(4, 13, "two"), s.finished(5, 14, documents_created=1)]
    await publish(*events)
    before = await job_when(api, s.job_id, lambda j: j["lines"]["total"] == 2
                            and j["status"] == "succeeded")
    marker = Story()  # sent last on the same partition: once it shows, the rest was consumed
    await publish(*events, *reversed(events),
                  (str(s.job_id), encode(marker.line(0, 1, "after the redelivery"))))
    await job_when(api, marker.job_id, lambda j: True)
    async with consuming.engine.connect() as conn:
        lines = await conn.scalar(text("select count(*) from job_lines where job_id = :j"),
                                  {"j": s.job_id})
    assert lines == 2
    assert (await api.get(f"/jobs/{s.job_id}")).json() == before


async def test_out_of_order_arrival_gives_the_in_order_job(consuming: Runtime,
                                                          api: httpx.AsyncClient,
                                                          publish: Publish) -> None:
    ordered, shuffled = Story(), Story()

    def story(s: Story) -> list[Any]:
        return [s.queued(0), s.started(1, 10), s.line(2, 11, "billing: first"),
                s.started(2.5, 50, service="documents", kind="rendering"),
                s.line(3, 51, "documents: rendered INV-1", service="documents"),
                s.progress(4, 12, 1, 1), s.line(5, 13, "billing: last"),
                s.finished(6, 14, documents_created=1),
                s.finished(7, 52, service="documents", status="succeeded_with_warnings",
                           rendered=1)]

    events = story(ordered)
    await publish(*events)
    swapped = story(shuffled)
    # finished before the last progress, lines before the start, documents before billing
    await publish(*[swapped[i] for i in (8, 7, 6, 4, 3, 5, 2, 0, 1)])
    want = await job_when(api, ordered.job_id, lambda j: j["status"] != "running"
                          and j["lines"]["total"] == 3)
    got = await job_when(api, shuffled.job_id, lambda j: j["status"] != "running"
                         and j["lines"]["total"] == 3)
    assert want["status"] == "succeeded_with_warnings" and want["kind"] == "batch_run"
    assert want["counts"] == {"documents_created": 1, "rendered": 1}
    assert [x["text"] for x in got["lines"]["items"]] == [
        "billing: first", "documents: rendered INV-1", "billing: last"]
    for job in (want, got):
        job.pop("job_id")
        job["lines"].pop("next")  # the arrival numbers differ; the shown order does not
    assert got == want


async def test_a_malformed_message_is_kept_and_the_rest_applied(consuming: Runtime,
                                                                 api: httpx.AsyncClient,
                                                                 publish: Publish) -> None:
    s = Story()
    await publish((str(s.job_id), b'{"type": "jobs.job.log", "payload": {}}'),
                  (str(s.job_id), b"not json"), s.line(1, 5, "still here"))
    job = await job_when(api, s.job_id, lambda j: j["lines"]["total"] == 1)
    assert job["lines"]["items"][0]["text"] == "still here"
    async with consuming.engine.connect() as conn:
        topics_ = (await conn.execute(text("select topic from rejected_messages"))).scalars().all()
    assert topics_ == [topics.JOBS_EVENTS, topics.JOBS_EVENTS]
