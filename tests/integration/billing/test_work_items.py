"""Commands as work items on the real database: recorded by the consumer, executed under a
lease; a crashed worker's run resumed once with the run's own counts; no command twice at
once; a failing command neither blocks the next one nor retries forever."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from sqlalchemy import text

from affbill_billing.config import Settings
from affbill_billing.entrypoints.messaging import handle_request
from affbill_billing.service_layer import run_work, work_items
from affbill_billing.service_layer.work_worker import WorkItemWorker
from affbill_contracts import Envelope, IssueDrafts, topics
from affbill_contracts.jobs import JobFinished, JobLogLine
from affbill_runtime.db import UnitOfWork
from affbill_runtime.runtime import Runtime
from tests.integration.billing.conftest import command, customer_with_items, outbox

pytestmark = pytest.mark.integration


class Crash(Exception):
    """The worker's process dies here (nothing after it runs, nothing is recorded)."""


def crashing_after(billing: Runtime, documents: int) -> Any:
    """A unit-of-work factory whose process dies while numbering document ``documents + 1``."""
    numbered = 0

    class Dying(UnitOfWork):
        def publish(self, topic: str, key: str | None, envelope: Envelope[Any]) -> None:
            nonlocal numbered
            p = envelope.payload
            if isinstance(p, JobLogLine) and p.text.startswith("Document "):
                numbered += 1
                if numbered > documents:
                    raise Crash
            super().publish(topic, key, envelope)

    return lambda: Dying(billing.sessions)


async def until(condition: Any, limit: int = 1200) -> None:
    """Wait for a condition of the test's own making (bounded, so a bug fails, not hangs)."""
    for _ in range(limit):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the condition never came true")


async def item(billing: Runtime, item_id: uuid.UUID) -> dict[str, Any]:
    async with billing.engine.connect() as conn:
        return dict((await conn.execute(text("select * from work_items where item_id = :i"),
                                        {"i": item_id})).mappings().one())


async def last_finished(billing: Runtime, job_id: uuid.UUID) -> JobFinished:
    finished = [e.payload for e in await outbox(billing, topics.JOBS_EVENTS)
                if e.job_id == job_id and isinstance(e.payload, JobFinished)]
    return max(finished, key=lambda f: f.seq)  # the jobs service keeps the latest


async def test_the_consumer_only_records_the_command(billing: Runtime) -> None:
    _, customer = await customer_with_items(billing)
    cmd = command(customer)
    await handle_request(billing, cmd)
    await handle_request(billing, cmd)  # redelivered: recorded once
    again = Envelope.wrap(cmd.payload)  # the same run under a new event id: still one item
    await handle_request(billing, again)
    async with billing.engine.connect() as conn:
        rows = (await conn.execute(text("select item_id, status from work_items"))).all()
        assert await conn.scalar(text("select count(*) from invoices")) == 0
    assert rows == [(cmd.event_id, "pending")]


async def test_a_crashed_worker_s_run_is_resumed_once_with_the_run_s_counts(
        billing: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run_work, "ISSUE_BATCH", 4)  # numbered in several transactions
    customers = [(await customer_with_items(billing))[1] for _ in range(10)]
    cmd = command(*customers)
    assert await work_items.record_command(billing.uow, cmd)
    a = WorkItemWorker(billing.uow, billing.settings, owner="a")
    b = WorkItemWorker(billing.uow, billing.settings, owner="b")
    claimed = await a.claim()
    assert claimed is not None and claimed.item_id == cmd.event_id
    with pytest.raises(Crash):  # worker a dies after numbering 4 documents
        await work_items.execute_command(crashing_after(billing, 4), claimed.command,
                                         billing.settings)
    async with billing.engine.connect() as conn:
        assert await conn.scalar(text("select count(*) from invoices where status = 'issued'")
                                 ) == 4
    assert await b.claim() is None  # a's lease still holds: nobody else runs it
    async with billing.engine.begin() as conn:  # a never renews it: its lease expires
        await conn.execute(text("update work_items set lease_until = now() - interval '1 s'"))
    assert await b.run_next()

    async with billing.engine.connect() as conn:
        per_customer = (await conn.execute(text(
            "select customer_id, count(*) from invoices where status = 'issued' group by 1"))
        ).all()
        numbers = (await conn.execute(text("select number from invoices order by number"))
                   ).scalars().all()
        still_open = await conn.scalar(text(
            "select count(*) from billable_items where state = 'open'"))
        run_counts = await conn.scalar(text("select counts from runs"))
    assert sorted(c for c, _ in per_customer) == sorted(customers)
    assert all(n == 1 for _, n in per_customer) and still_open == 0
    assert numbers == [f"INV-{numbers[0][4:8]}-{n:05d}" for n in range(1, 11)]
    done = await item(billing, cmd.event_id)
    assert (done["status"], done["attempts"], done["lease_owner"]) == ("done", 2, None)
    counts = {"documents_created": 10, "drafts_created": 0, "customers_skipped": 0}
    assert (await last_finished(billing, cmd.payload.run_id)).counts == counts
    assert run_counts == counts
    lines = [e.payload.text for e in await outbox(billing, topics.JOBS_EVENTS)
             if isinstance(e.payload, JobLogLine)]
    assert "Run resumed after an interruption" in lines
    # the run counts every attempt itself (runs.counts is added to in the transaction of
    # each document), so the worker's correction line is not needed here


async def test_two_workers_never_run_the_same_command_at_once(billing: Runtime) -> None:
    settings = billing.settings.model_copy(update={"work_item_lease_s": 1.0,
                                                   "work_item_poll_s": 0.05})
    running, seen = 0, []
    release, done = asyncio.Event(), asyncio.Event()

    async def slow(uow_factory: Any, raw: bytes, _: Settings) -> None:
        nonlocal running
        running += 1
        seen.append(running)
        try:
            await release.wait()
        finally:
            running -= 1
            done.set()

    cmd = Envelope.wrap(IssueDrafts(draft_ids=[uuid.uuid4()], requested_by="anna"))
    await work_items.record_command(billing.uow, cmd)
    workers = [WorkItemWorker(billing.uow, settings, execute=slow, owner=o) for o in "ab"]
    claims = await asyncio.gather(*(w.claim() for w in workers))
    assert sum(c is not None for c in claims) == 1  # one claim wins the row
    async with billing.engine.begin() as conn:  # back to pending, for both loops to race
        await conn.execute(text("update work_items set status = 'pending', lease_owner = null, "
                                "lease_until = null, attempts = 0"))
    loops = [asyncio.create_task(w.run()) for w in workers]
    try:
        await until(lambda: bool(seen))
        await asyncio.sleep(settings.work_item_lease_s * 4)  # many leases long: renewed
        release.set()
        await until(lambda: done.is_set())
        for _ in range(1200):
            if (await item(billing, cmd.event_id))["status"] == "done":
                break
            await asyncio.sleep(0.05)
    finally:
        for loop in loops:
            loop.cancel()
        await asyncio.gather(*loops, return_exceptions=True)
    assert seen == [1]  # executed once, never two at a time
    assert (await item(billing, cmd.event_id))["attempts"] == 1


async def test_a_failing_command_neither_blocks_the_next_nor_retries_forever(
        billing: Runtime) -> None:
    settings = billing.settings.model_copy(update={"work_item_attempts": 2,
                                                   "work_item_retry_s": 3600})
    poison = Envelope.wrap(IssueDrafts(draft_ids=[uuid.uuid4()], requested_by="anna"),
                           job_id=uuid.uuid4())

    async def execute(uow_factory: Any, raw: bytes, s: Settings) -> None:
        if raw == work_items.encode(poison):
            raise RuntimeError("the command cannot be carried out")
        await work_items.execute_command(uow_factory, raw, s)

    _, customer = await customer_with_items(billing)
    good = command(customer)
    await work_items.record_command(billing.uow, poison)
    await work_items.record_command(billing.uow, good)
    worker = WorkItemWorker(billing.uow, settings, execute=execute)
    assert await worker.run_next()  # the poison fails and waits for its retry
    assert await worker.run_next()  # meanwhile the next command runs
    assert not await worker.run_next()
    assert (await item(billing, good.event_id))["status"] == "done"
    async with billing.engine.connect() as conn:
        assert await conn.scalar(text("select count(*) from invoices where status = 'issued'"
                                      " and customer_id = :c"), {"c": customer}) == 1
    async with billing.engine.begin() as conn:  # its retry is due
        await conn.execute(text("update work_items set not_before = now()"))
    assert await worker.run_next()
    failed = await item(billing, poison.event_id)
    assert (failed["status"], failed["attempts"]) == ("failed", 2)
    assert "RuntimeError: the command cannot be carried out" in failed["last_error"]
    finished = await last_finished(billing, poison.job_id)
    assert finished.status == "failed"
    assert "the command cannot be carried out" in (finished.reason or "")
    assert not await worker.run_next()  # a failed command stays failed


async def test_a_worker_that_lost_its_lease_stops_and_records_nothing(billing: Runtime) -> None:
    settings = billing.settings.model_copy(update={"work_item_lease_s": 0.6})
    started, stopped = asyncio.Event(), asyncio.Event()

    async def endless(uow_factory: Any, raw: bytes, _: Settings) -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        finally:
            stopped.set()

    cmd = Envelope.wrap(IssueDrafts(draft_ids=[uuid.uuid4()], requested_by="anna"))
    await work_items.record_command(billing.uow, cmd)
    worker = WorkItemWorker(billing.uow, settings, execute=endless, owner="a")
    work = asyncio.create_task(worker.run_next())
    await until(started.is_set)
    async with billing.engine.begin() as conn:  # as if a's lease had expired and b took it
        await conn.execute(text("update work_items set lease_owner = 'b'"))
    assert await asyncio.wait_for(work, 30)  # a gives up the command …
    assert stopped.is_set()  # … stopping its execution
    taken = await item(billing, cmd.event_id)
    assert (taken["status"], taken["lease_owner"], taken["last_error"]) == ("running", "b", None)
