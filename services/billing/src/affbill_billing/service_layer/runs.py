"""Batch runs ("Process selected"): per customer one transaction, per currency one document.

Idempotent by construction: the run's row records that it was asked for; each
customer's open items leave the open state in the transaction that creates their
document, and only if they are the items that document was planned from. A
redelivered or restarted run finds only what is still open, so it completes what is
missing and doubles nothing. A customer's documents wait as 'pending' until the run
numbers them, many per transaction, from the series' counter row locked by that
transaction: gapless, and one commit for many.

The steps: start (record the run, resolve the clerk's selection into customers), bill
the customers (run_billing: profiles and open items read for many at once, most
customers billed in one statement), number what is pending meanwhile and at the end
(run_numbering), finish (the summary line and the job's counters).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import uuid
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from affbill_billing.adapters import profiles_repo, runs_repo
from affbill_billing.config import Settings
from affbill_billing.domain.billing_profile import BillingProfile
from affbill_billing.domain.money import round_money
from affbill_billing.domain.runs import RunContext
from affbill_billing.service_layer.run_billing import SERVICE, RunWork, bill_chunk
from affbill_billing.service_layer.run_numbering import NumberingAlongside, number_pending
from affbill_contracts.billing import ProcessSelected
from affbill_contracts.envelope import Envelope
from affbill_contracts.jobs import JobKind, JobStatus
from affbill_runtime.db import UnitOfWork
from affbill_runtime.jobs import JobReporter

PROFILE_CHUNK = 1000  # customers whose profiles are read with one query
ITEMS_CHUNK = 25  # customers whose open items are read with one query


async def process_selected(uow_factory: Callable[[], UnitOfWork],
                           envelope: Envelope[ProcessSelected],
                           settings: Settings, today: dt.date | None = None) -> dict[str, Any]:
    """Run a ProcessSelected command to its end; returns the job's counts."""
    run: ProcessSelected = envelope.payload
    ctx = context_of(run, envelope.job_id or run.run_id, settings, today or dt.date.today())
    if not await start(uow_factory, run, ctx):
        return {"already_done": True}
    async with uow_factory() as uow:
        customers = await runs_repo.selected_customers(uow.session, run)
    work = RunWork(_whole(ctx, run, customers), uow_factory, settings, total=len(customers))
    numbering = NumberingAlongside(work)
    try:
        await bill_customers(work, customers)
    finally:
        await numbering.stop()
    while await number_pending(work):
        pass
    return await finish(work)


def context_of(run: ProcessSelected, job_id: uuid.UUID, settings: Settings, today: dt.date
               ) -> RunContext:
    return RunContext(run.run_id, job_id, run.requested_by, today, settings.domestic_vat_rate,
                      run.period_end, run.currency, tuple(run.item_ids),
                      frozenset(run.customer_ids))


def _whole(ctx: RunContext, run: ProcessSelected, customers: Sequence[str]) -> RunContext:
    """'Select all' bills every resolved customer whole."""
    if not run.all_customers:
        return ctx
    return RunContext(ctx.run_id, ctx.job_id, ctx.requested_by, ctx.today,
                      ctx.domestic_vat_rate, ctx.period_end, ctx.currency, (),
                      frozenset(customers))


async def start(uow_factory: Callable[[], UnitOfWork], run: ProcessSelected, ctx: RunContext
                ) -> bool:
    """Record the run and start its job (or log that it resumes); False when it finished."""
    async with uow_factory() as uow:
        fresh, status = await runs_repo.start(uow.session, run.run_id, run.requested_by)
        if status == "finished":
            return False
        job = JobReporter(uow, SERVICE, ctx.job_id)
        if fresh:
            job.started(JobKind.BATCH_RUN, "Process selected: " + (
                "all customers" if run.all_customers else
                f"{len(run.customer_ids)} customers, {len(run.item_ids)} items"),
                run.requested_by)
        else:
            job.log("Run resumed after an interruption")
        await uow.commit()
    return True


async def bill_customers(work: RunWork, customers: Sequence[str]) -> None:
    """Bill the customers, run_concurrency at a time (their transactions overlap)."""
    for start_at in range(0, len(customers), PROFILE_CHUNK):
        chunk = customers[start_at:start_at + PROFILE_CHUNK]
        async with work.uow_factory() as uow:
            profiles = await profiles_repo.profiles(uow.session, chunk)
        queue = iter(chunk)
        await asyncio.gather(*(_bill_from(work, queue, profiles)
                               for _ in range(work.settings.run_concurrency)))


async def _bill_from(work: RunWork, queue: Iterator[str],
                     profiles: dict[str, BillingProfile]) -> None:
    """One worker: takes a few customers at a time from the shared queue."""
    while few := list(itertools.islice(queue, ITEMS_CHUNK)):
        await bill_chunk(work, few, profiles)


def summary(counts: dict[str, int], invoiced: dict[str, Decimal]) -> str:
    per_currency = ", ".join(f"{round_money(amount, cur)} {cur}"
                             for cur, amount in sorted(invoiced.items()))
    drafts = counts["drafts_created"]
    return (f"Run finished: {counts['documents_created']} documents created, "
            + (f"{drafts} drafts created, " if drafts else "")
            + f"{counts['customers_skipped']} customers skipped"
            + (f"; invoiced {per_currency}" if per_currency else ""))


async def finish(work: RunWork) -> dict[str, int]:
    """The summary line, the job finished with its counts, the run's row closed."""
    counts = work.tally.counts.as_dict()
    async with work.uow_factory() as uow:
        job = work.job(uow)
        job.log(summary(counts, work.tally.invoiced))
        job.finished(JobStatus.SUCCEEDED, **counts)
        await runs_repo.finish(uow.session, work.ctx.run_id, counts)
        await uow.commit()
    return counts
