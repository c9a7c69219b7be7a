"""Commands as work items: a run or a bulk issue is recorded at once, executed later.

The consumer of billing.requests only records the command (idempotent by its event id and
by what it works on) and commits, so one long or failing command never holds back
another. A worker (work_worker.py) executes it under a lease by calling the use case.
A resumed run reports what the run created as the database holds it — its documents and
drafts, whichever process created them — not what the last process counted.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

import orjson

from affbill_billing.adapters import work_items_repo as repo
from affbill_billing.config import Settings
from affbill_billing.domain.money import round_money
from affbill_billing.domain.wording import counted
from affbill_billing.service_layer import issuing, runs
from affbill_contracts.billing import IssueDrafts, ProcessSelected
from affbill_contracts.codec import decode, encode
from affbill_contracts.envelope import Envelope
from affbill_contracts.jobs import JobStatus, LogLevel
from affbill_runtime import tracing
from affbill_runtime.db import UnitOfWork
from affbill_runtime.jobs import JobReporter

log = logging.getLogger("affbill.billing.work_items")
SERVICE = "billing"
UowFactory = Callable[[], UnitOfWork]
COMMANDS = (ProcessSelected, IssueDrafts)


def job_and_subject(envelope: Envelope[Any]) -> tuple[uuid.UUID, uuid.UUID]:
    """The command's job (as its use case reports it) and what it works on."""
    if isinstance(envelope.payload, ProcessSelected):
        return envelope.job_id or envelope.payload.run_id, envelope.payload.run_id
    job_id = envelope.job_id or envelope.event_id
    return job_id, job_id


async def record_command(uow_factory: UowFactory, envelope: Envelope[Any]) -> bool:
    """Record a command for the worker, committed at once; False when it was known."""
    if not isinstance(envelope.payload, COMMANDS):
        log.warning("not a billing command", extra={"type": envelope.type})
        return False
    job_id, subject = job_and_subject(envelope)
    async with uow_factory() as uow:
        fresh = await repo.record(uow.session, envelope.event_id, envelope.type, job_id,
                                  subject, encode(envelope), tracing.traceparent())
        await uow.commit()
    return fresh


async def execute_command(uow_factory: UowFactory, command: bytes, settings: Settings) -> None:
    """Execute a recorded command with its use case, then settle its job's counts."""
    envelope = decode(command)
    if isinstance(envelope.payload, ProcessSelected):
        await runs.process_selected(uow_factory, envelope, settings)
        await settle_run(uow_factory, envelope)
    elif isinstance(envelope.payload, IssueDrafts):
        counts = await issuing.issue_drafts(uow_factory, envelope, settings)
        await settle_bulk_issue(uow_factory, envelope, counts)
    else:
        raise ValueError(f"not a billing command: {envelope.type}")


async def settle_run(uow_factory: UowFactory, envelope: Envelope[ProcessSelected]) -> None:
    """When the run's documents differ from what its last process counted (it was resumed
    after a crash), report the run's counts again, from the database: the jobs service
    keeps a part's latest JobFinished."""
    run = envelope.payload
    job_id, _ = job_and_subject(envelope)
    async with uow_factory() as uow:
        totals = await repo.run_totals(uow.session, run.run_id)
        recorded = totals.recorded_counts
        counts = {**recorded, "documents_created": totals.documents_created,
                  "drafts_created": totals.drafts_created}
        if not recorded or counts == recorded:
            return
        per_currency = ", ".join(f"{round_money(amount, cur)} {cur}"
                                 for cur, amount in sorted(totals.invoiced.items()))
        job = JobReporter(uow, SERVICE, job_id)
        job.log(f"Run totals over all its attempts: "
                f"{counted(counts['documents_created'], 'document')} created, "
                f"{counted(counts['drafts_created'], 'draft')} created, "
                f"{counted(counts.get('customers_skipped', 0), 'customer')} skipped"
                + (f"; invoiced {per_currency}" if per_currency else ""))
        job.finished(JobStatus.SUCCEEDED, **counts)
        await repo.store_run_counts(uow.session, run.run_id, orjson.dumps(counts).decode())
        await uow.commit()


async def settle_bulk_issue(uow_factory: UowFactory, envelope: Envelope[IssueDrafts],
                            counts: dict[str, Any]) -> None:
    """As settle_run, for a bulk issue: the documents its job issued in every attempt."""
    if counts.get("already_done"):
        return
    job_id, _ = job_and_subject(envelope)
    async with uow_factory() as uow:
        issued = await repo.issued_by_job(uow.session, job_id)
        if issued == counts["documents_created"]:
            return
        final = {**counts, "documents_created": issued}
        job = JobReporter(uow, SERVICE, job_id)
        job.log(f"Bulk issue totals over all its attempts: {counted(issued, 'document')} "
                f"created, {counted(final['drafts_refused'], 'draft')} not issued")
        job.finished(JobStatus.SUCCEEDED_WITH_WARNINGS if final["drafts_refused"]
                     else JobStatus.SUCCEEDED, **final)
        await uow.commit()


async def give_up(uow_factory: UowFactory, item: repo.Claimed, owner: str, reason: str
                  ) -> bool:
    """Mark the item failed with its reason and finish its job failed, in one transaction;
    False when the lease was lost meanwhile (another worker owns the item)."""
    async with uow_factory() as uow:
        if not await repo.failed(uow.session, item.item_id, owner, reason):
            return False
        job = JobReporter(uow, SERVICE, item.job_id)
        job.log(f"Command failed after {item.attempts} attempts: {reason}", LogLevel.ERROR)
        job.finished(JobStatus.FAILED, reason=reason)
        if item.kind == ProcessSelected.EVENT_TYPE:
            await repo.run_failed(uow.session, item.subject)
        await uow.commit()
    return True
