"""Handlers of the sync service's commands (sync.requests). Each owns its transaction
through a unit of work and applies a command once however often it arrives."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.dialects.postgresql import insert

from affbill_contracts.envelope import Envelope
from affbill_contracts.jobs import JobKind, JobStatus, LogLevel
from affbill_contracts.sync import CancelSync, StartSync
from affbill_runtime import audit
from affbill_runtime.acting import actor
from affbill_runtime.db import UnitOfWork
from affbill_runtime.jobs import JobReporter
from affbill_runtime.messaging import apply_once
from affbill_sync.adapters import queue
from affbill_sync.adapters.orm import sync_runs
from affbill_sync.config import Settings
from affbill_sync.domain.windows import default_window

CONSUMER = "sync.request_sync"
CANCEL_CONSUMER = "sync.cancel_sync"
SERVICE = "sync"


def window_of(request: StartSync, settings: Settings,
              now: dt.datetime | None = None) -> tuple[dt.date, dt.date]:
    """The window a request asks for, its open ends filled in the connector's time zone."""
    config = settings.connector(request.connector)
    tz = ZoneInfo(config.timezone) if config else dt.UTC
    today = (now or dt.datetime.now(dt.UTC)).astimezone(tz).date()
    default_from, default_to = default_window(today)
    return request.date_from or default_from, request.date_to or default_to


async def request_sync(uow: UnitOfWork, envelope: Envelope[StartSync], settings: Settings,
                       now: dt.datetime | None = None) -> bool:
    """Queue the requested sync, once per request; returns whether it was new. (A window
    the settings refuse is queued too: the worker ends it failed with the reason.)"""

    async def effect(uow: UnitOfWork, fresh: list[Envelope[Any]]) -> None:
        for env in fresh:
            request: StartSync = env.payload
            date_from, date_to = window_of(request, settings, now)
            await uow.session.execute(insert(sync_runs).values(
                job_id=env.job_id or env.event_id, connector=request.connector,
                scope=request.scope.value, date_from=date_from, date_to=date_to,
                requested_by=request.requested_by, republish=request.republish,
                status="queued").on_conflict_do_nothing())
            await audit.record(uow.session, entity_kind="sync",
                               entity_id=env.job_id or env.event_id, action="request",
                               after=request.model_dump(mode="json"),
                               who=actor(request.requested_by))

    return await apply_once(uow, CONSUMER, [envelope], effect) > 0


async def cancel_sync(uow: UnitOfWork, envelope: Envelope[CancelSync]) -> bool:
    """Stop a sync: a queued one ends cancelled at once, a running one is asked to stop
    (its worker sees the request when it renews its lease). Returns whether it was new."""

    async def effect(uow: UnitOfWork, fresh: list[Envelope[Any]]) -> None:
        for env in fresh:
            command: CancelSync = env.payload
            found = await queue.ask_to_stop(uow.session, command.sync_job_id,
                                            command.requested_by)
            if found is None or found.status != "queued":
                continue
            reason = f"Cancelled by {command.requested_by} before it started"
            await queue.set_status(uow.session, command.sync_job_id, "cancelled", reason)
            job = JobReporter(uow, SERVICE, command.sync_job_id)
            kind = JobKind.STANDARD_SYNC if found.scope == "standard" else JobKind.PARTIAL_SYNC
            job.started(kind, f"{found.scope.capitalize()} sync of {found.connector}",
                        command.requested_by)
            job.log(reason, LogLevel.WARNING)
            job.finished(JobStatus.CANCELLED, reason=reason)

    return await apply_once(uow, CANCEL_CONSUMER, [envelope], effect) > 0
