"""Job events and run bookkeeping of a sync, each in its own small transaction."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import func, update

from affbill_contracts import topics
from affbill_contracts.envelope import Envelope
from affbill_contracts.jobs import JobKind, JobStatus, LogLevel
from affbill_contracts.sync import SyncSucceeded
from affbill_runtime.db import UnitOfWork
from affbill_runtime.jobs import JobReporter
from affbill_sync.adapters.orm import sync_runs

SERVICE = "sync"
# a sync that ends so published everything it read: billing learns it (period readiness)
SUCCEEDED = (JobStatus.SUCCEEDED, JobStatus.SUCCEEDED_WITH_WARNINGS)


class RunReporter:
    def __init__(self, uow_factory: Callable[[], UnitOfWork], job_id: uuid.UUID) -> None:
        self._uow = uow_factory
        self.job_id = job_id
        self._counts: dict[str, dict[str, int]] = {}

    async def started(self, scope: str, connector: str, requested_by: str, window: str) -> None:
        async with self._uow() as uow:
            job = JobReporter(uow, SERVICE, self.job_id)
            kind = JobKind.STANDARD_SYNC if scope == "standard" else JobKind.PARTIAL_SYNC
            job.started(kind, f"{scope.capitalize()} sync of {connector}", requested_by)
            job.log(f"{scope.capitalize()} sync of {connector} started for {window}")
            await uow.session.execute(update(sync_runs).where(sync_runs.c.job_id == self.job_id)
                                      .values(status="running", started_at=func.now()))
            await uow.commit()

    async def progress(self, counts: object, force: bool = False) -> None:
        step: str = counts.step  # type: ignore[attr-defined]
        self._counts[step] = counts.as_dict()  # type: ignore[attr-defined]
        async with self._uow() as uow:
            JobReporter(uow, SERVICE, self.job_id).progress(
                step, counts.fetched, None, **counts.as_dict())  # type: ignore[attr-defined]
            await uow.session.execute(update(sync_runs).where(sync_runs.c.job_id == self.job_id)
                                      .values(counts=self._counts))
            await uow.commit()

    async def log(self, text: str, level: LogLevel = LogLevel.INFO) -> None:
        async with self._uow() as uow:
            JobReporter(uow, SERVICE, self.job_id).log(text, level)
            await uow.commit()

    async def finished(self, status: JobStatus, reason: str | None) -> None:
        totals = {k: sum(c.get(k, 0) for c in self._counts.values())
                  for k in ("fetched", "published", "unchanged", "quarantined")}
        async with self._uow() as uow:
            job = JobReporter(uow, SERVICE, self.job_id)
            if reason:
                job.log(reason, LogLevel.WARNING if status is JobStatus.CANCELLED
                        else LogLevel.ERROR)
            job.log(f"Sync {status.value.replace('_', ' ')}: {totals['fetched']} fetched, "
                    f"{totals['published']} published, {totals['unchanged']} unchanged, "
                    f"{totals['quarantined']} quarantined")
            job.finished(status, reason=reason, **totals)
            run = (await uow.session.execute(
                update(sync_runs).where(sync_runs.c.job_id == self.job_id)
                .values(status=status.value, finished_at=func.now(), reason=reason,
                        counts=self._counts)
                .returning(sync_runs.c.connector, sync_runs.c.scope, sync_runs.c.date_from,
                           sync_runs.c.date_to, sync_runs.c.started_at,
                           sync_runs.c.finished_at))).first()
            if run is not None and run.started_at is not None and status in SUCCEEDED:
                uow.publish(topics.ADTRACKER_SYNCS, run.connector, Envelope.wrap(SyncSucceeded(
                    connector=run.connector, scope=run.scope, date_from=run.date_from,
                    date_to=run.date_to, started_at=run.started_at,
                    finished_at=run.finished_at), job_id=self.job_id))
            await uow.commit()
