"""Handlers of the sync service. Each owns its transaction through a unit of work."""

from typing import Any

from affbill_contracts.envelope import Envelope
from affbill_contracts.jobs import JobKind, JobStatus, LogLevel
from affbill_contracts.sync import StartSync, SyncScope
from affbill_runtime.db import UnitOfWork
from affbill_runtime.jobs import JobReporter
from affbill_runtime.messaging import apply_once

CONSUMER = "sync.start_sync"
CONNECTORS: dict[str, Any] = {}  # filled by the connectors of the sync issue


async def start_sync(uow: UnitOfWork, envelope: Envelope[StartSync]) -> None:
    """Start a sync job for the requested connector, once per request."""

    async def effect(uow: UnitOfWork, fresh: list[Envelope[Any]]) -> None:
        for env in fresh:
            request: StartSync = env.payload
            job = JobReporter(uow, "sync", env.job_id or env.event_id)
            kind = (JobKind.STANDARD_SYNC if request.scope is SyncScope.STANDARD
                    else JobKind.PARTIAL_SYNC)
            job.started(kind, f"{request.scope.value.capitalize()} sync of {request.connector}",
                        request.requested_by)
            if request.connector not in CONNECTORS:
                reason = f"No adtracker connector named {request.connector!r} is configured"
                job.log(reason, LogLevel.ERROR)
                job.finished(JobStatus.FAILED, reason=reason)

    await apply_once(uow, CONSUMER, [envelope], effect)
