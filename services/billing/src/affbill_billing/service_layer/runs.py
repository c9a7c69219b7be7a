"""Batch runs ("Process selected"): per customer one transaction, per currency one document.

Idempotent by construction: the run's row records that it was asked for; each
customer's open items leave the open state in the transaction that creates their
document, and only if they are the items that document was planned from. A
redelivered or restarted run finds only what is still open, so it completes what is
missing and doubles nothing. A customer's documents wait as 'pending' until the run
numbers them, many per transaction, from the series' counter row locked by that
transaction: gapless, and one commit for many.

The steps: start (record the run and resolve the clerk's selection into its work list:
chunks of customers), work on it (claim a chunk, bill its customers — run_billing —, mark
it done; number pending documents meanwhile — run_numbering), see it through (chunks a
dead process held come back when their lease ends), finish (summary line, the job's
counts). Any billing process may help: :func:`work_on` is all it takes, and the counts
every transaction adds to the run's row are the run's, however many processes helped.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

from affbill_billing.adapters import profiles_repo, runs_repo
from affbill_billing.config import Settings
from affbill_billing.domain.dates import DueDateBasis, InvoiceDateRule
from affbill_billing.domain.money import round_money
from affbill_billing.domain.runs import RunContext, RunCounts, last_day_read
from affbill_billing.domain.wording import counted
from affbill_billing.service_layer import audit_trail, dry_runs, periods
from affbill_billing.service_layer.run_billing import bill_chunk
from affbill_billing.service_layer.run_numbering import NumberingAlongside, number_pending
from affbill_billing.service_layer.run_work import SERVICE, RunWork
from affbill_contracts.billing import ProcessSelected
from affbill_contracts.envelope import Envelope
from affbill_contracts.jobs import JobKind, JobStatus, LogLevel
from affbill_runtime.db import UnitOfWork
from affbill_runtime.jobs import JobReporter
from affbill_runtime.metrics import RUN_SECONDS

log = logging.getLogger("affbill.billing.runs")
CHUNK = 25  # customers per chunk of the work list (their open items read with one query)
PROGRESS_EVERY = 100  # customers between progress reports
POLL_S = 0.2  # how often the process that finishes a run looks whether others are done
HOLDER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"  # this process
UowFactory = Callable[[], UnitOfWork]
_working_on: set[uuid.UUID] = set()  # runs this process works on now


async def process_selected(uow_factory: UowFactory, envelope: Envelope[ProcessSelected],
                           settings: Settings, today: dt.date | None = None) -> dict[str, Any]:
    """Run a ProcessSelected command to its end; returns the run's counts (summed over every
    process that helped and every restart)."""
    run: ProcessSelected = envelope.payload
    job_id = envelope.job_id or run.run_id
    if run.dry_run:
        day = today or settings.today()
        return await dry_runs.dry_run(uow_factory, envelope,
                                      context_of(run, job_id, settings, day), settings)
    if not await start(uow_factory, run, job_id, today or settings.today(), settings):
        return {"already_done": True}
    work = await work_on(uow_factory, run.run_id, settings)
    if work is None:  # another process finished it meanwhile
        return await _counts(uow_factory, run.run_id)
    await see_through(work)
    return (await finish(work)).as_dict()


async def start(uow_factory: UowFactory, run: ProcessSelected, job_id: uuid.UUID,
                today: dt.date, settings: Settings | None = None) -> bool:
    """Record the run with its work list and start its job (or log that it resumes);
    False when the run finished already, or is refused because its period is not ready
    (with ``settings``: see service_layer/periods.check_run)."""
    async with uow_factory() as uow:
        fresh, status = await runs_repo.start(uow.session, run, job_id, today)
        if status in ("finished", "refused"):
            return False
        customers = None
        if fresh or not await runs_repo.has_chunks(uow.session, run.run_id):
            customers = await runs_repo.selected_customers(
                uow.session, run, last_day_read(run.period_end, today))
            await runs_repo.add_chunks(uow.session, run.run_id, customers, CHUNK)
        job = JobReporter(uow, SERVICE, job_id)
        if fresh:
            job.started(JobKind.BATCH_RUN, "Process selected: " + (
                "all customers" if run.all_customers else
                f"{counted(len(run.customer_ids), 'customer')}, "
                f"{counted(len(run.item_ids), 'item')}"),
                run.requested_by)
            job.log(periods.period_line(run, today))
            refusal = settings and await periods.check_run(
                await uow.session.connection(), job, run, customers, today, settings)
            if refusal:
                job.log(refusal, LogLevel.ERROR)
                job.finished(JobStatus.FAILED, reason=refusal)
                await runs_repo.refuse(uow.session, run.run_id)
                await uow.commit()
                return False
            await audit_trail.run_started(uow.session, run, job_id, len(customers or ()))
        else:
            job.log("Run resumed after an interruption")
        await uow.commit()
    return True


async def work_on(uow_factory: UowFactory, run_id: uuid.UUID, settings: Settings
                  ) -> RunWork | None:
    """Help a run: bill chunks of its customers until none is left to claim, and number
    what is pending. Any billing process may call it for any running run, at any time;
    None when the run is not running."""
    work = await _load(uow_factory, run_id, settings)
    if work is not None:
        _working_on.add(run_id)
        try:
            await _bill_claimed(work)
        finally:
            _working_on.discard(run_id)
    return work


async def help_runs(uow_factory: UowFactory, settings: Settings) -> int:
    """Work on every running run that has customers nobody works on (and this process does
    not work on already); returns how many."""
    async with uow_factory() as uow:
        run_ids = [r for r in await runs_repo.runs_to_help(uow.session)
                   if r not in _working_on]
    for run_id in run_ids:
        work = await work_on(uow_factory, run_id, settings)
        if work is not None and await _work_left(work) == (0, 0):
            await finish(work)  # the process that took the command may be gone
    return len(run_ids)


async def help_runs_forever(uow_factory: UowFactory, settings: Settings) -> None:
    """The billing process's share of other processes' runs (a background task)."""
    while True:
        try:
            await help_runs(uow_factory, settings)
        except Exception:  # a failing run must not stop this process helping the others
            log.exception("helping a run failed; trying again")
        await asyncio.sleep(settings.run_help_every_s)


def context_of(run: ProcessSelected, job_id: uuid.UUID, settings: Settings, day: dt.date
               ) -> RunContext:
    return RunContext(run.run_id, job_id, run.requested_by, day, settings.domestic_vat_rate,
                      run.period_end, run.currency, tuple(run.item_ids),
                      None if run.all_customers else frozenset(run.customer_ids),
                      seller_country=settings.seller_country,
                      period_start=run.period_start,
                      invoice_date_rule=InvoiceDateRule(run.invoice_date_rule)
                      if run.invoice_date_rule else None,
                      due_date_basis=DueDateBasis(run.due_date_basis)
                      if run.due_date_basis else None,
                      fiscal_year_start_month=settings.fiscal_year_start_month)


async def _load(uow_factory: UowFactory, run_id: uuid.UUID, settings: Settings
                ) -> RunWork | None:
    async with uow_factory() as uow:
        row = await runs_repo.selection(uow.session, run_id)
    if row is None or row.status != "running" or row.selection is None:
        return None
    run = ProcessSelected.model_validate(row.selection)
    return RunWork(context_of(run, row.job_id, settings, row.billing_day), uow_factory,
                   settings, total=row.customers or 0)


async def _bill_claimed(work: RunWork) -> None:
    """Bill claimed chunks, run_concurrency at a time, numbering meanwhile and after."""
    numbering = NumberingAlongside(work)
    try:
        await asyncio.gather(*(_claim_and_bill(work)
                               for _ in range(work.settings.run_concurrency)))
    finally:
        await numbering.stop()
    while await number_pending(work):
        pass


async def _claim_and_bill(work: RunWork) -> None:
    """One worker: claims a chunk, bills its customers, marks it done; until none is left."""
    while True:
        async with work.uow_factory() as uow:
            claimed = await runs_repo.claim(uow.session, work.ctx.run_id, HOLDER,
                                            work.settings.run_chunk_lease_s)
            if claimed is None:
                return
            chunk_no, customers = claimed
            profiles = await profiles_repo.profiles(uow.session, customers)
            await uow.commit()
        async with _kept_leased(work, chunk_no):
            await bill_chunk(work, customers, profiles)
        await _chunk_done(work, chunk_no, len(customers))


@contextlib.asynccontextmanager
async def _kept_leased(work: RunWork, chunk_no: int) -> AsyncIterator[None]:
    """Renew the chunk's lease every third of it while its customers are billed, so a
    slow chunk is not claimed by another process as if this one had died."""
    lease_s = work.settings.run_chunk_lease_s

    async def renew() -> None:
        while True:
            await asyncio.sleep(lease_s / 3)
            try:
                async with work.uow_factory() as uow:
                    await runs_repo.renew(uow.session, work.ctx.run_id, chunk_no, HOLDER,
                                          lease_s)
                    await uow.commit()
            except Exception:  # the next renewal tries again; the lease only guards work
                log.warning("renewing the lease of chunk %s failed", chunk_no, exc_info=True)

    renewing = asyncio.create_task(renew())
    try:
        yield
    finally:
        renewing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewing


async def _chunk_done(work: RunWork, chunk_no: int, customers: int) -> None:
    """Mark the chunk billed; report progress every PROGRESS_EVERY customers of the run."""
    async with work.uow_factory() as uow:
        done = await runs_repo.chunk_done(uow.session, work.ctx.run_id, chunk_no)
        if done // PROGRESS_EVERY > (done - customers) // PROGRESS_EVERY or done == work.total:
            counts = await runs_repo.counts(uow.session, work.ctx.run_id)
            work.job(uow).progress("customers", done, work.total, **counts.as_dict())
        await uow.commit()


async def see_through(work: RunWork) -> None:
    """Wait until every chunk is billed and every document numbered; chunks whose lease
    ran out (their process died) are billed here."""
    while await _work_left(work) != (0, 0):
        await asyncio.sleep(POLL_S)
        await _bill_claimed(work)


async def _work_left(work: RunWork) -> tuple[int, int]:
    """(chunks not billed, documents not numbered) of the run."""
    async with work.uow_factory() as uow:
        return await runs_repo.work_left(uow.session, work.ctx.run_id)


def summary(counts: RunCounts, invoiced: dict[str, Any]) -> str:
    per_currency = ", ".join(f"{round_money(amount, cur)} {cur}"
                             for cur, amount in sorted(invoiced.items()))
    drafts = counts.drafts_created
    return (f"Run finished: {counted(counts.documents_created, 'document')} created, "
            + (f"{counted(drafts, 'draft')} created, " if drafts else "")
            + f"{counted(counts.customers_skipped, 'customer')} skipped"
            + (f"; invoiced {per_currency}" if per_currency else ""))


async def finish(work: RunWork) -> RunCounts:
    """Close the run once: the summary line, its periods locked (by setting), and the job
    finished with the run's counts."""
    async with work.uow_factory() as uow:
        counts = await runs_repo.finish(uow.session, work.ctx.run_id)
        if counts is None:  # another process closed it
            return await runs_repo.counts(uow.session, work.ctx.run_id)
        job = work.job(uow)
        invoiced = await runs_repo.invoiced(uow.session, work.ctx.run_id)
        job.log(summary(counts, invoiced))
        if work.settings.lock_period_after_run:
            for p in await periods.lock_after_run(await uow.session.connection(),
                                                  work.ctx.run_id, work.ctx, SERVICE):
                job.log(f"Period {p} locked: restatements of its days go to the next period")
        job.finished(JobStatus.SUCCEEDED, **counts.as_dict())
        await audit_trail.run_finished(uow.session, work.ctx.run_id, counts.as_dict(), invoiced)
        took = await runs_repo.duration_s(uow.session, work.ctx.run_id)
        await uow.commit()
    RUN_SECONDS.labels("batch_run").observe(took)
    return counts


async def _counts(uow_factory: UowFactory, run_id: uuid.UUID) -> dict[str, int]:
    async with uow_factory() as uow:
        return (await runs_repo.counts(uow.session, run_id)).as_dict()
