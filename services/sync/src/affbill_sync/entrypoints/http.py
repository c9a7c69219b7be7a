"""HTTP routes of the sync service: connectors, runs, quarantined rows."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select

from affbill_contracts.bounds import MAX_OFFSET, Name
from affbill_contracts.envelope import Envelope
from affbill_contracts.sync import StartSync, SyncScope
from affbill_runtime.runtime import Runtime
from affbill_sync.adapters.orm import quarantine, sync_runs
from affbill_sync.service_layer import handlers


class SyncRequest(BaseModel):
    connector: Name = Field(max_length=64, description="Connector id.",
                            examples=["hasoffers-sim"])
    scope: SyncScope = Field(description="standard or partial.", examples=["standard"])
    date_from: dt.date | None = Field(default=None, description="Window start.")
    date_to: dt.date | None = Field(default=None, description="Window end.")
    requested_by: Name = Field(default="api", min_length=1, max_length=200,
                               description="Who asks.")

    @model_validator(mode="after")
    def _window_in_order(self) -> SyncRequest:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from is after date_to")
        return self


def _run(row: Any) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, (uuid.UUID, dt.date, dt.datetime)) else v)
            for k, v in row._mapping.items()}


def build_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(tags=["sync"])
    settings = runtime.state.settings

    @router.get("/connectors")
    async def list_connectors() -> list[dict[str, Any]]:
        return [{"id": c.id, "kind": c.kind, "base_url": str(c.base_url),
                 "timezone": c.timezone} for c in settings.connectors]  # never the token

    @router.post("/syncs", status_code=202)
    async def request_sync(body: SyncRequest) -> dict[str, str]:
        if settings.connector(body.connector) is None:
            raise HTTPException(404, f"No adtracker connector named {body.connector!r}")
        job_id = uuid.uuid4()
        command = StartSync(**body.model_dump())
        await handlers.request_sync(runtime.uow(), Envelope.wrap(command, job_id=job_id),
                                    settings)
        runtime.state.worker.wake()
        return {"job_id": str(job_id), "status": "queued"}

    @router.get("/syncs")
    async def list_syncs(connector: str | None = None, status: str | None = None,
                         limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[dict[str, Any]]:
        query = select(sync_runs).order_by(sync_runs.c.requested_at.desc()).limit(limit)
        if connector:
            query = query.where(sync_runs.c.connector == connector)
        if status:
            query = query.where(sync_runs.c.status == status)
        async with runtime.engine.connect() as conn:
            return [_run(r) for r in (await conn.execute(query)).all()]

    @router.get("/syncs/{job_id}")
    async def get_sync(job_id: uuid.UUID) -> dict[str, Any]:
        async with runtime.engine.connect() as conn:
            row = (await conn.execute(select(sync_runs).where(sync_runs.c.job_id == job_id))
                   ).first()
        if row is None:
            raise HTTPException(404, "No such sync")
        return _run(row)

    @router.get("/quarantine")
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
