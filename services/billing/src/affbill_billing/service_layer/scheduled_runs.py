"""Executing schedules: each due period's run started once, after its period is ready.

The leader (schedule_leader.py) calls :func:`start_due_runs` every round. For each active
schedule whose latest period is due, one transaction makes or locks the period's row of
``scheduled_runs`` (its key: schedule and period), then either records that it waits for
the period to be ready (the job log says why, once per reason) or starts the run: the row
marked started and the ProcessSelected command recorded as a work item, in the same
transaction, so a run is started exactly once whoever decides it, however often.
The run is then a normal run with its job (the job id is the run id): any billing process
executes it, resumes it after a crash, and profiles with drafts by default get drafts.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from affbill_billing.adapters import schedules_repo, work_items_repo
from affbill_billing.config import Settings
from affbill_billing.domain.periods import BillingPeriod
from affbill_billing.domain.schedules import due_at, due_period, run_id_of
from affbill_billing.service_layer import periods
from affbill_contracts.billing import ProcessSelected
from affbill_contracts.codec import encode
from affbill_contracts.envelope import Envelope
from affbill_contracts.jobs import JobKind
from affbill_runtime.db import UnitOfWork
from affbill_runtime.jobs import JobReporter

log = logging.getLogger("affbill.billing.schedules")
SERVICE = "billing"
UowFactory = Callable[[], UnitOfWork]


def command_of(row: Any, period: BillingPeriod) -> ProcessSelected:
    """The run a schedule starts for a period: every customer of its frequency (narrowed
    by its filters) with open items, billed for that period."""
    return ProcessSelected(
        run_id=run_id_of(row.schedule_id, period), all_customers=True,
        period_start=period.start, period_end=period.end, billing_frequency=row.frequency,
        customer_kind=row.customer_kind, currency=row.currency,
        account_manager_id=row.account_manager_id, invoice_date_rule=row.invoice_date_rule,
        due_date_basis=row.due_date_basis, requested_by=f"schedule {row.schedule_id}")


async def start_due_runs(uow_factory: UowFactory, settings: Settings, holder: str,
                         now: dt.datetime | None = None) -> int:
    """Start every due scheduled run whose period is ready; returns how many started now."""
    now = now or dt.datetime.now(dt.UTC)
    async with uow_factory() as uow:
        rows = await schedules_repo.every(await uow.session.connection())
    started = 0
    for row in rows:
        period = due_period(schedules_repo.schedule_of(row), now, settings.zone())
        if period is not None:
            try:
                started += await _advance(uow_factory, row, period, settings, holder)
            except Exception:  # one schedule's failure must not stop the others
                log.exception("scheduled run of %s failed to start; trying again",
                              row.schedule_id)
    return started


async def _advance(uow_factory: UowFactory, row: Any, period: BillingPeriod,
                   settings: Settings, holder: str) -> bool:
    """Wait or start, for one schedule's due period, in one transaction; True: started."""
    command = command_of(row, period)
    async with uow_factory() as uow:
        conn = await uow.session.connection()
        made, run = await schedules_repo.open_run(
            conn, row.schedule_id, period, command.run_id,
            due_at(schedules_repo.schedule_of(row), period, settings.zone()))
        if run.status == "started":
            return False
        job = JobReporter(uow, SERVICE, command.run_id)
        if made:
            job.started(JobKind.BATCH_RUN, f"Scheduled run {row.schedule_id}: {row.frequency} "
                        f"period {period}", command.requested_by)
        reason = await _not_ready(conn, period, settings)
        if reason is not None:
            if reason != run.waiting_for:
                job.log(f"Waiting: {reason}")
            await schedules_repo.still_waiting(conn, row.schedule_id, period, reason)
            await uow.commit()
            return False
        envelope = Envelope.wrap(command, job_id=command.run_id)
        await work_items_repo.record(uow.session, envelope.event_id, envelope.type,
                                     command.run_id, command.run_id, encode(envelope))
        await schedules_repo.started(conn, row.schedule_id, period, holder)
        job.log(f"Period {period} is due{' and ready' if settings.runs_need_ready_period else ''}"
                f": run started by the schedule (leader {holder})")
        await uow.commit()
    log.info("scheduled run started", extra={"schedule": row.schedule_id,
                                             "period": str(period)})
    return True


async def _not_ready(conn: Any, period: BillingPeriod, settings: Settings) -> str | None:
    """Why the period cannot be billed yet (None: it can): runs that need a ready period
    wait for it rather than being forced."""
    if not settings.runs_need_ready_period:
        return None
    (found,) = await periods.readiness_of(conn, [period], settings)
    return None if found.ready else found.describe()
