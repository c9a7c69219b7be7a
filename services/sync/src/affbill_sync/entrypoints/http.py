"""HTTP routes of the sync service: connectors, runs, quarantined rows.

Starting or stopping a sync has one entrance, the sync.requests command: these
routes check the request, write the command through the outbox and answer 202
with the job id; the service's own consumer applies it like any other sender's.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Query
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select

from affbill_contracts import decode, topics
from affbill_contracts.bounds import MAX_OFFSET, Name
from affbill_contracts.envelope import Envelope
from affbill_contracts.sync import CancelSync, StartSync, SyncScope
from affbill_contracts.wire import answers, jsonable
from affbill_runtime.audit_http import audit_router
from affbill_runtime.runtime import Runtime
from affbill_sync.adapters.orm import outbox, quarantine, sync_runs
from affbill_sync.domain.windows import window_problem
from affbill_sync.entrypoints import views_api as v
from affbill_sync.service_layer import handlers

RUNNING = ("queued", "running")


class SyncRequest(BaseModel):
    connector: Name = Field(max_length=64, description="Connector id.",
                            examples=["hasoffers-sim"])
    scope: SyncScope = Field(description="standard or partial.", examples=["standard"])
    date_from: dt.date | None = Field(default=None, description="Window start.")
    date_to: dt.date | None = Field(default=None, description="Window end.")
    requested_by: Name = Field(default="api", min_length=1, max_length=200,
                               description="Who asks.")
    republish: bool = Field(default=False, description=(
        "Publish every stat row of the window again, changed or not (standard scope only): "
        "after an upgrade, billing derives the payout items of rows synced before it kept "
        "payouts. Idempotent for billing."))

    @model_validator(mode="after")
    def _window(self) -> SyncRequest:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from must not be after date_to")
        if self.republish and self.scope is not SyncScope.STANDARD:
            raise ValueError("republish: only a standard sync reads every row of its window")
        return self


class CancelRequest(BaseModel):
    requested_by: Name = Field(default="api", min_length=1, max_length=200,
                               description="Who asks to stop the sync.")


def _run(row: Any) -> dict[str, Any]:
    return jsonable(dict(row._mapping))


def build_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(tags=["sync"])
    router.include_router(audit_router(runtime.engine))
    settings = runtime.state.settings

    @router.get("/connectors", **answers(list[v.Connector]))
    async def list_connectors() -> list[dict[str, Any]]:
        return [{"id": c.id, "kind": c.kind, "base_url": str(c.base_url),
                 "timezone": c.timezone} for c in settings.connectors]  # never the token

    async def send(key: str, envelope: Envelope[Any]) -> None:
        async with runtime.uow() as uow:
            uow.publish(topics.SYNC_REQUESTS, key, envelope)
            await uow.commit()

    @router.post("/syncs", status_code=202, **answers(v.SyncAnswer, 202))
    async def request_sync(body: SyncRequest) -> dict[str, str]:
        """Queue a sync: writes StartSync to sync.requests (its event id is the job id)."""
        if settings.connector(body.connector) is None:
            raise HTTPException(404, f"No adtracker connector named {body.connector!r}")
        command = StartSync(**body.model_dump())
        problem = window_problem(*handlers.window_of(command, settings), settings.max_window_days)
        if problem:
            raise HTTPException(422, f"The sync window is refused: {problem}")
        job_id = uuid.uuid4()
        await send(body.connector, Envelope.wrap(command, job_id=job_id, event_id=job_id))
        return {"job_id": str(job_id), "status": "queued"}

    @router.post("/syncs/{job_id}/cancel", status_code=202, **answers(v.SyncAnswer, 202))
    async def cancel_sync(job_id: uuid.UUID, body: CancelRequest | None = None,
                          user: Annotated[str | None, Header(alias="X-Affbill-User")] = None
                          ) -> dict[str, str]:
        """Stop a queued or running sync: writes CancelSync to sync.requests. Who asks is
        the gateway's caller (X-Affbill-User), else the body's requested_by."""
        async with runtime.engine.connect() as conn:
            row = (await conn.execute(select(sync_runs.c.status, sync_runs.c.connector)
                                      .where(sync_runs.c.job_id == job_id))).first()
            start = row is None and await conn.scalar(
                select(outbox.c.value).where(outbox.c.event_id == job_id))
        if row is None and not start:
            raise HTTPException(404, "No such sync")
        if row is not None and row.status not in RUNNING:
            raise HTTPException(409, f"The sync has already ended: {row.status}")
        connector = row.connector if row is not None else decode(start).payload.connector
        command = CancelSync(sync_job_id=job_id,
                             requested_by=user or (body or CancelRequest()).requested_by)
        # keyed like its StartSync: the same partition, so it never overtakes it
        await send(connector, Envelope.wrap(command, job_id=job_id))
        return {"job_id": str(job_id), "status": "cancelling"}

    @router.get("/syncs", **answers(list[v.SyncRun]))
    async def list_syncs(connector: str | None = None, status: str | None = None,
                         limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[dict[str, Any]]:
        query = select(sync_runs).order_by(sync_runs.c.requested_at.desc()).limit(limit)
        if connector:
            query = query.where(sync_runs.c.connector == connector)
        if status:
            query = query.where(sync_runs.c.status == status)
        async with runtime.engine.connect() as conn:
            return [_run(r) for r in (await conn.execute(query)).all()]

    @router.get("/syncs/{job_id}", **answers(v.SyncRun))
    async def get_sync(job_id: uuid.UUID) -> dict[str, Any]:
        async with runtime.engine.connect() as conn:
            row = (await conn.execute(select(sync_runs).where(sync_runs.c.job_id == job_id))
                   ).first()
            start = row is None and await conn.scalar(
                select(outbox.c.value).where(outbox.c.event_id == job_id))
        if start:  # the command is on its way to the consumer: what it asks for
            request = decode(start).payload
            return {"job_id": str(job_id), "status": "requested", "counts": {},
                    **request.model_dump(mode="json")}
        if row is None:
            raise HTTPException(404, "No such sync")
        return _run(row)

    @router.get("/quarantine", **answers(list[v.QuarantinedRow]))
    async def list_quarantine(connector: str | None = None, job_id: uuid.UUID | None = None,
                              entity: str | None = None,
                              limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                              offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0
                              ) -> list[dict[str, Any]]:
        query = select(quarantine).order_by(quarantine.c.id.desc()).limit(limit).offset(offset)
        for column, value in ((quarantine.c.connector, connector), (quarantine.c.job_id, job_id),
                              (quarantine.c.entity, entity)):
            if value is not None:
                query = query.where(column == value)
        async with runtime.engine.connect() as conn:
            return [_run(r) for r in (await conn.execute(query)).all()]

    return router
