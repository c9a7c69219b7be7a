"""One sync run from start to finish, reported to the job log.

Steps run in order; each publishes in one Kafka transaction and advances the
cursors in one short database transaction after it (while the step reads the
adtracker, its connection holds no transaction: VACUUM goes on). A step that
fails (auth error, retries exhausted) or is cancelled publishes nothing, leaves
the cursors as they were, and ends the job with its reason; the steps before it
stay done.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy.ext.asyncio import AsyncEngine

from affbill_contracts.jobs import JobStatus, LogLevel
from affbill_runtime.metrics import SYNC_ROWS
from affbill_sync.adapters.connectors.base import AdtrackerError, Connector
from affbill_sync.adapters.cursors import Cursors, quarantine
from affbill_sync.adapters.publisher import FactPublisher
from affbill_sync.adapters.queue import SyncRun
from affbill_sync.domain.quarantine import Rejected
from affbill_sync.service_layer import steps
from affbill_sync.service_layer.reporting import RunReporter

log = logging.getLogger("affbill.sync.job")
MAX_LOGGED_REJECTS = 100
PROGRESS_EVERY_S = 1.0

STANDARD = ("employee", "advertiser", "affiliate", "stat", "conversion")
PARTIAL = ("stat", "conversion")

__all__ = ["SyncJob", "SyncRun"]


class SyncJob:
    def __init__(self, run: SyncRun, connector: Connector, publisher: FactPublisher,
                 engine: AsyncEngine, reporter: RunReporter) -> None:
        self.run = run
        self.connector = connector
        self.publisher = publisher
        self.engine = engine
        self.reporter = reporter
        self.totals: dict[str, steps.Counts] = {}
        self._logged_rejects = 0
        self._last_progress = 0.0

    async def execute(self) -> tuple[JobStatus, str | None]:
        entities = STANDARD if self.run.scope == "standard" else PARTIAL
        for entity in entities:
            counts = steps.Counts(entity)
            self.totals[entity] = counts
            try:
                await self._step(entity, counts)
            except AdtrackerError as exc:
                reason = f"{entity} sync failed: {exc}"
                log.warning(reason, extra={"job_id": str(self.run.job_id)})
                return JobStatus.FAILED, reason
            await self.reporter.progress(counts, force=True)
            await self.reporter.log(
                f"{entity.capitalize()}s: {counts.fetched} fetched, {counts.published} published, "
                f"{counts.unchanged} unchanged, {counts.quarantined} quarantined")
        if self._logged_rejects > MAX_LOGGED_REJECTS:
            await self.reporter.log(f"… {self._logged_rejects - MAX_LOGGED_REJECTS} more "
                                    "quarantined rows not listed here", LogLevel.WARNING)
        if any(c.quarantined for c in self.totals.values()):
            return JobStatus.SUCCEEDED_WITH_WARNINGS, None
        return JobStatus.SUCCEEDED, None

    async def _step(self, entity: str, counts: steps.Counts) -> None:
        async with self.engine.connect() as sa_conn:
            raw = await sa_conn.get_raw_connection()
            conn = raw.driver_connection  # no transaction: each read commits on its own
            cursors = Cursors(conn, self.run.connector)
            await cursors.open()
            await self.publisher.begin()
            ctx = steps.StepContext(self.connector, self.publisher, cursors, self.run.job_id,
                                    self.run.date_from, self.run.date_to,
                                    full_read=self.run.scope == "standard",
                                    republish=self.run.republish,
                                    quarantine=self._quarantine, progress=self._progress)
            fetched, published = counts.fetched, counts.published
            try:
                if entity in steps.PARTNERS:
                    await steps.sync_partners(ctx, entity, counts)
                elif entity == "stat":
                    await steps.sync_stats(ctx, counts)
                else:
                    await steps.sync_conversions(ctx, counts)
                await self.publisher.commit()
                SYNC_ROWS.labels(entity, "fetched").inc(counts.fetched - fetched)
                SYNC_ROWS.labels(entity, "published").inc(counts.published - published)
            except BaseException:
                await self.publisher.abort()
                await cursors.close()
                raise
            await cursors.apply()  # one short transaction, after Kafka committed

    async def _quarantine(self, rejected: list[Rejected]) -> None:
        # kept in its own transaction: bad rows stay on record even if the step fails later
        async with self.engine.connect() as sa_conn:
            raw = await sa_conn.get_raw_connection()
            await quarantine(raw.driver_connection, self.run.job_id, self.run.connector,
                             [(r.entity, r.natural_key, r.reason, steps.raw_json(r.raw))
                              for r in rejected])
        for r in rejected:
            self._logged_rejects += 1
            if self._logged_rejects <= MAX_LOGGED_REJECTS:
                await self.reporter.log(r.describe(), LogLevel.WARNING)

    async def _progress(self, counts: steps.Counts) -> None:
        now = time.monotonic()
        if now - self._last_progress >= PROGRESS_EVERY_S:
            self._last_progress = now
            await self.reporter.progress(counts)

