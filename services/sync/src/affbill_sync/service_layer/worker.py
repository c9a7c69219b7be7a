"""The sync queue: requested runs wait in sync_runs; one runs at a time per connector.

A running sync holds a lease in its row and renews it while it works; no
connection stays open in a transaction meanwhile. When a process dies, its lease
runs out, and any sync worker (this replica or another, at its next round — no
restart needed) takes the run over: it is queued again up to ``max_attempts``
times — re-running publishes every fact, no fact twice in effect (deterministic
event ids, natural keys) — and then failed as abandoned, with the reason in the
job log. A stop request (CancelSync) is seen at the next renewal: the step in
progress aborts its Kafka transaction and the job ends cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncEngine

from affbill_contracts.jobs import JobKind, JobStatus, LogLevel
from affbill_runtime import tracing
from affbill_runtime.db import UnitOfWork
from affbill_runtime.jobs import JobReporter
from affbill_runtime.kafka_acls import TRANSACTIONAL_ID_PREFIX
from affbill_sync.adapters import queue
from affbill_sync.adapters.connectors import build_connector
from affbill_sync.adapters.publisher import FactPublisher
from affbill_sync.adapters.queue import SyncRun
from affbill_sync.config import Settings
from affbill_sync.domain.windows import window_problem
from affbill_sync.service_layer.reporting import RunReporter
from affbill_sync.service_layer.sync_job import SyncJob

log = logging.getLogger("affbill.sync.worker")


class Stop(Exception):
    """Why the worker stopped a run it leases: a stop request, or the lease was lost."""

    def __init__(self, status: JobStatus | None, reason: str) -> None:
        super().__init__(reason)
        self.status = status  # None: the run is no longer ours, report nothing
        self.reason = reason


class SyncWorker:
    def __init__(self, settings: Settings, engine: AsyncEngine,
                 uow_factory: Callable[[], UnitOfWork], poll_s: float = 1.0) -> None:
        self.settings = settings
        self.engine = engine
        self.uow_factory = uow_factory
        self.poll_s = poll_s
        self._wakeup = asyncio.Event()

    def wake(self) -> None:
        self._wakeup.set()

    async def run(self) -> None:
        while True:
            try:
                await self.recover()
                ran = await self.run_next()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("sync worker failed; retrying")
                ran = False
            if not ran:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), self.poll_s)
                self._wakeup.clear()

    async def recover(self) -> int:
        """Take over the runs whose lease ran out: queue them again, or fail them as
        abandoned after ``max_attempts``. Returns how many were taken over."""
        async with self.uow_factory() as uow:
            runs = await queue.lapsed(uow.session)
            for r in runs:
                job = JobReporter(uow, "sync", r.job_id)
                gone = ("the process running it stopped renewing its lease"
                        + (f" (it ran out at {r.lease_until:%Y-%m-%d %H:%M:%S %Z})"
                           if r.lease_until else ""))
                if r.attempts < self.settings.max_attempts:
                    await queue.set_status(uow.session, r.job_id, "queued")
                    job.log(f"Resumed: {gone}; attempt {r.attempts + 1} of "
                            f"{self.settings.max_attempts}", LogLevel.WARNING)
                    log.warning("re-queued interrupted sync", extra={"job_id": str(r.job_id)})
                    continue
                reason = f"Abandoned: {gone}, {r.attempts} times"
                await queue.set_status(uow.session, r.job_id, "failed", reason)
                kind = JobKind.STANDARD_SYNC if r.scope == "standard" else JobKind.PARTIAL_SYNC
                job.started(kind, f"{r.scope.capitalize()} sync of {r.connector}",
                            r.requested_by)
                job.log(reason, LogLevel.ERROR)
                job.finished(JobStatus.FAILED, reason=reason)
                log.error("abandoned sync failed", extra={"job_id": str(r.job_id)})
            await uow.commit()
        return len(runs)

    async def run_next(self) -> bool:
        """Claim the oldest runnable sync and run it to its end; False when none waits."""
        run = await queue.claim(self.engine, self.settings.lease_s)
        if run is None:
            return False
        with tracing.resumed(f"sync {run.scope}", None, **{
                "affbill.job_id": str(run.job_id), "affbill.connector": run.connector}):
            await self._run(run)
        return True

    async def _run(self, run: SyncRun) -> None:
        """The claimed sync to its end, its lease kept meanwhile (a span of its own: the
        adtracker calls and what it publishes are one trace)."""
        reporter = RunReporter(self.uow_factory, run.job_id)
        work = asyncio.create_task(self.execute(run, reporter), name=f"sync-{run.job_id}")
        keeper = asyncio.create_task(self._keep_lease(run, work))
        try:
            await work
        except asyncio.CancelledError:
            stop = keeper.result() if keeper.done() and not keeper.cancelled() else None
            if stop is None:
                raise  # the worker itself is stopping: the lease runs out, another resumes
            await self._stopped(run, stop, reporter)
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper

    async def _keep_lease(self, run: SyncRun, work: asyncio.Task[None]) -> Stop:
        """Renew the lease until the run ends; stop the run on a stop request or when the
        lease is no longer ours (another worker took it over)."""
        every = min(self.settings.lease_s / 3, 2.0)
        while True:
            await asyncio.sleep(every)
            try:
                lease = await queue.renew(self.engine, run.job_id, self.settings.lease_s)
            except Exception:
                log.warning("could not renew a sync's lease", exc_info=True)
                continue
            if not lease.held:
                stop = Stop(None, "its lease was taken over by another worker")
            elif lease.cancel_requested_by:
                stop = Stop(JobStatus.CANCELLED, f"Cancelled by {lease.cancel_requested_by}")
            else:
                continue
            work.cancel()
            return stop

    async def _stopped(self, run: SyncRun, stop: Stop, reporter: RunReporter) -> None:
        log.warning("sync stopped", extra={"job_id": str(run.job_id), "reason": stop.reason})
        if stop.status is not None:
            await reporter.finished(stop.status, stop.reason)

    async def execute(self, run: SyncRun, reporter: RunReporter | None = None) -> None:
        reporter = reporter or RunReporter(self.uow_factory, run.job_id)
        config = self.settings.connector(run.connector)
        await reporter.started(run.scope, run.connector, run.requested_by,
                               f"{run.date_from} – {run.date_to}")
        if config is None:
            await reporter.finished(JobStatus.FAILED,
                                    f"No adtracker connector named {run.connector!r} is configured")
            return
        if problem := window_problem(run.date_from, run.date_to, self.settings.max_window_days):
            await reporter.finished(JobStatus.FAILED, f"The sync window is refused: {problem}")
            return
        connector = build_connector(config)
        publisher = FactPublisher(self.settings.kafka_bootstrap_servers,
                                  f"{TRANSACTIONAL_ID_PREFIX}{run.connector}",
                                  self.settings.kafka_security)
        status, reason = JobStatus.FAILED, "the sync stopped unexpectedly"
        try:
            await publisher.start()
            job = SyncJob(run, connector, publisher, self.engine, reporter)
            status, reason = await job.execute()
        except Exception as exc:
            log.exception("sync failed", extra={"job_id": str(run.job_id)})
            reason = f"internal error: {type(exc).__name__}: {exc}"
        finally:
            await connector.aclose()
            await publisher.stop()
        await reporter.finished(status, reason)
