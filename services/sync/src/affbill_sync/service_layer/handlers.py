"""Handlers of the sync service. Each owns its transaction through a unit of work."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.dialects.postgresql import insert

from affbill_contracts.envelope import Envelope
from affbill_contracts.sync import StartSync
from affbill_runtime import audit
from affbill_runtime.acting import actor
from affbill_runtime.db import UnitOfWork
from affbill_runtime.messaging import apply_once
from affbill_sync.adapters.orm import sync_runs
from affbill_sync.config import Settings
from affbill_sync.domain.windows import default_window

CONSUMER = "sync.request_sync"


async def request_sync(uow: UnitOfWork, envelope: Envelope[StartSync], settings: Settings,
                       now: dt.datetime | None = None) -> bool:
    """Queue the requested sync, once per request; returns whether it was new."""

    async def effect(uow: UnitOfWork, fresh: list[Envelope[Any]]) -> None:
        for env in fresh:
            request: StartSync = env.payload
            config = settings.connector(request.connector)
            tz = ZoneInfo(config.timezone) if config else dt.UTC
            today = (now or dt.datetime.now(dt.UTC)).astimezone(tz).date()
            default_from, default_to = default_window(today)
            await uow.session.execute(insert(sync_runs).values(
                job_id=env.job_id or env.event_id, connector=request.connector,
                scope=request.scope.value, date_from=request.date_from or default_from,
                date_to=request.date_to or default_to, requested_by=request.requested_by,
                status="queued").on_conflict_do_nothing())
            await audit.record(uow.session, entity_kind="sync",
                               entity_id=env.job_id or env.event_id, action="request",
                               after=request.model_dump(mode="json"),
                               who=actor(request.requested_by))

    return await apply_once(uow, CONSUMER, [envelope], effect) > 0
