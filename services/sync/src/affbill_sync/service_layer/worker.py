"""The sync queue: requested runs wait in sync_runs; one runs at a time per connector.

A run left 'running' by a process that died is found at start-up (nobody
holds its connector's lock) and queued again: re-running it publishes every
fact, and no fact twice in effect (deterministic event ids, natural keys).
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from affbill_contracts.jobs import JobStatus
from affbill_runtime.db import UnitOfWork
from affbill_sync.adapters.connectors import build_connector
from affbill_sync.adapters.publisher import FactPublisher
from affbill_sync.config import Settings
from affbill_sync.service_layer.reporting import RunReporter
from affbill_sync.service_layer.sync_job import SyncJob, SyncRun

log = logging.getLogger("affbill.sync.worker")

CLAIM = text("""
update sync_runs set status = 'running', started_at = now()
where job_id = (
    select job_id from sync_runs r
    where status = 'queued' and not exists (
        select 1 from sync_runs x where x.connector = r.connector and x.status = 'running')
    order by requested_at limit 1 for update skip locked)
returning job_id, connector, scope, date_from, date_to, requested_by
""")


def _lock_id(connector: str) -> int:
    return zlib.crc32(f"affbill.sync.{connector}".encode())


async def _try_lock(conn: AsyncConnection, connector: str) -> bool:
    return bool(await conn.scalar(text("select pg_try_advisory_lock(:k)"),
                                  {"k": _lock_id(connector)}))


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
        await self.recover()
        while True:
            try:
                ran = await self.run_next()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("sync worker failed; retrying")
                ran = False
            if not ran:
                try:
                    await asyncio.wait_for(self._wakeup.wait(), self.poll_s)
                except TimeoutError:
                    pass
                self._wakeup.clear()

    async def recover(self) -> None:
        async with self.engine.connect() as conn:
            running = (await conn.execute(text(
                "select job_id, connector from sync_runs where status = 'running'"))).all()
            for job_id, connector in running:
                if await _try_lock(conn, connector):
                    await conn.execute(text("update sync_runs set status = 'queued' "
                                            "where job_id = :j"), {"j": job_id})
                    await conn.commit()
                    await conn.execute(text("select pg_advisory_unlock(:k)"),
                                       {"k": _lock_id(connector)})
                    log.warning("re-queued interrupted sync", extra={"job_id": str(job_id)})
            await conn.commit()

    async def run_next(self) -> bool:
        async with self.engine.connect() as conn:
            row = (await conn.execute(CLAIM)).first()
            await conn.commit()
            if row is None:
                return False
            run = SyncRun(*row)
            if not await _try_lock(conn, run.connector):  # another replica runs this connector
                await conn.execute(text("update sync_runs set status = 'queued' "
                                        "where job_id = :j"), {"j": run.job_id})
                await conn.commit()
                return False
            try:
                await self.execute(run)
            finally:
                await conn.execute(text("select pg_advisory_unlock(:k)"),
                                   {"k": _lock_id(run.connector)})
                await conn.commit()
        return True

    async def execute(self, run: SyncRun) -> None:
        reporter = RunReporter(self.uow_factory, run.job_id)
        config = self.settings.connector(run.connector)
        await reporter.started(run.scope, run.connector, run.requested_by,
                               f"{run.date_from} – {run.date_to}")
        if config is None:
            await reporter.finished(JobStatus.FAILED,
                                    f"No adtracker connector named {run.connector!r} is configured")
            return
        connector = build_connector(config)
        publisher = FactPublisher(self.settings.kafka_bootstrap_servers,
                                  f"affbill-sync-{run.connector}")
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
