"""A run's customers are a claimed work list: processes share a run, and a resumed run
reports the whole run's counts."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from affbill_billing.adapters import profiles_repo, runs_repo
from affbill_billing.service_layer import run_billing, runs
from affbill_billing.service_layer.run_numbering import number_pending
from affbill_contracts import topics
from affbill_runtime.runtime import Runtime
from tests.integration.billing.conftest import TODAY, command, customer_with_items, outbox

pytestmark = pytest.mark.integration
CUSTOMERS = 60  # three chunks of the work list


async def _customers(billing: Runtime, n: int) -> list[str]:
    return [(await customer_with_items(billing))[1] for _ in range(n)]


async def _numbers_and_chunks(billing: Runtime) -> tuple[list[str], int]:
    async with billing.engine.connect() as conn:
        numbers = (await conn.execute(text("select number from invoices order by number"))
                   ).scalars().all()
        open_chunks = await conn.scalar(text(
            "select count(*) from run_chunks where done_at is null"))
    return list(numbers), open_chunks


async def test_processes_share_a_run_and_it_counts_once(billing: Runtime) -> None:
    customers = await _customers(billing, CUSTOMERS)
    cmd = command(*customers)
    assert await runs.start(billing.uow, cmd.payload, cmd.job_id or cmd.payload.run_id, TODAY)
    helpers = await asyncio.gather(*(runs.work_on(billing.uow, cmd.payload.run_id,
                                                  billing.settings) for _ in range(2)))
    assert all(h is not None for h in helpers)
    assert sum(h.tally.counts.documents_created for h in helpers) == CUSTOMERS
    counts = await runs.process_selected(billing.uow, cmd, billing.settings, TODAY)
    assert counts == {"documents_created": CUSTOMERS, "drafts_created": 0,
                      "customers_skipped": 0}
    numbers, open_chunks = await _numbers_and_chunks(billing)
    assert numbers == [f"INV-2026-{n:05d}" for n in range(1, CUSTOMERS + 1)]
    assert open_chunks == 0
    assert await runs.work_on(billing.uow, cmd.payload.run_id, billing.settings) is None


async def test_a_resumed_run_reports_the_whole_runs_counts(billing: Runtime) -> None:
    customers = await _customers(billing, CUSTOMERS)
    cmd = command(*customers)
    run_id = cmd.payload.run_id
    assert await runs.start(billing.uow, cmd.payload, cmd.job_id or run_id, TODAY)
    work = await runs._load(billing.uow, run_id, billing.settings)  # a process that then dies
    assert work is not None
    async with billing.uow() as uow:
        chunk_no, first = await runs_repo.claim(uow.session, run_id, "gone", 0.0)
        profiles = await profiles_repo.profiles(uow.session, first)
        await uow.commit()
    await run_billing.bill_chunk(work, first, profiles)
    await runs._chunk_done(work, chunk_no, len(first))
    assert await number_pending(work) == len(first)

    counts = await runs.process_selected(billing.uow, cmd, billing.settings, TODAY)  # resumed
    assert counts["documents_created"] == CUSTOMERS
    finished = [e.payload for e in await outbox(billing, topics.JOBS_EVENTS)
                if e.type == "jobs.job.finished" and e.job_id == (cmd.job_id or run_id)]
    assert [f.counts["documents_created"] for f in finished] == [CUSTOMERS]
    numbers, open_chunks = await _numbers_and_chunks(billing)
    assert numbers == [f"INV-2026-{n:05d}" for n in range(1, CUSTOMERS + 1)]
    assert open_chunks == 0


async def test_a_run_whose_process_is_gone_is_finished_by_a_helper(billing: Runtime) -> None:
    customers = await _customers(billing, 30)
    cmd = command(*customers)
    assert await runs.start(billing.uow, cmd.payload, cmd.job_id or cmd.payload.run_id, TODAY)
    assert await runs.help_runs(billing.uow, billing.settings) == 1  # nobody else works on it
    async with billing.engine.connect() as conn:
        row = (await conn.execute(text(
            "select status, documents_created from runs where run_id = :r"),
            {"r": cmd.payload.run_id})).one()
    assert tuple(row) == ("finished", 30)
    assert await runs.process_selected(billing.uow, cmd, billing.settings, TODAY) == {
        "already_done": True}


async def test_a_slow_chunk_keeps_its_lease_while_it_is_billed(
        billing: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    """A chunk that takes longer than its lease is not claimed by another process: the
    lease is renewed while its customers are billed."""
    customers = await _customers(billing, 3)
    cmd = command(*customers)
    run_id = cmd.payload.run_id
    assert await runs.start(billing.uow, cmd.payload, cmd.job_id or run_id, TODAY)
    work = await runs._load(billing.uow, run_id, billing.settings)
    assert work is not None
    work.settings = billing.settings.model_copy(update={"run_chunk_lease_s": 0.6})
    stolen: list[object] = []
    bill = run_billing.bill_chunk

    async def slow(*args: object) -> None:
        for _ in range(4):  # 2 s: more than three leases
            await asyncio.sleep(0.5)
            async with billing.uow() as uow:
                stolen.append(await runs_repo.claim(uow.session, run_id, "another", 0.6))
                await uow.commit()
        await bill(*args)
    monkeypatch.setattr(runs, "bill_chunk", slow)
    await runs._bill_claimed(work)
    assert stolen == [None] * 4
    numbers, open_chunks = await _numbers_and_chunks(billing)
    assert len(numbers) == 3 and open_chunks == 0


async def test_a_run_is_in_the_audit_trail_with_who_started_it(billing: Runtime) -> None:
    customers = await _customers(billing, 2)
    cmd = command(*customers)
    counts = await runs.process_selected(billing.uow, cmd, billing.settings, TODAY)
    async with billing.engine.connect() as conn:
        entries = (await conn.execute(text(
            "select action, actor, after from audit_log where entity_kind = 'run' "
            "and entity_id = :r order by seq"), {"r": str(cmd.payload.run_id)})).all()
    assert [e.action for e in entries] == ["start", "finish"]
    assert entries[0].actor == cmd.payload.requested_by
    assert entries[0].after["customers"] == 2
    assert entries[1].after["documents_created"] == counts["documents_created"] == 2
