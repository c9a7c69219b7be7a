"""Reading the audit trail: GET /audit (filtered, paged, newest first) and GET /audit/verify
(the whole chain recomputed). Every service with a trail mounts the same router."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from affbill_contracts.wire import timestamp
from affbill_runtime.audit import AUDIT_LOG, ChainStatus, Verifier

NO_CONTROLS = r"^[^\x00-\x1f\x7f]*$"
Word = Annotated[str | None, Query(max_length=200, pattern=NO_CONTROLS)]
VERIFY_PAGE = 5000


@dataclass(frozen=True)
class AuditFilter:
    entity_kind: str | None = None
    entity_id: str | None = None
    actor: str | None = None
    action: str | None = None
    since: dt.datetime | None = None  # inclusive
    until: dt.datetime | None = None  # exclusive

    def where(self) -> list[Any]:
        c, where = AUDIT_LOG.c, []
        for column, value in ((c.entity_kind, self.entity_kind), (c.entity_id, self.entity_id),
                              (c.actor, self.actor), (c.action, self.action)):
            if value is not None:
                where.append(column == value)
        if self.since is not None:
            where.append(c.at >= _aware(self.since))
        if self.until is not None:
            where.append(c.at < _aware(self.until))
        return where


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """A time without an offset is UTC."""
    return value.replace(tzinfo=dt.UTC) if value and value.tzinfo is None else value


def entry_json(row: Any) -> dict[str, Any]:
    entry = dict(row._mapping)
    entry["at"] = timestamp(entry["at"])
    return entry


async def entries(engine: AsyncEngine, f: AuditFilter, limit: int, offset: int
                  ) -> tuple[list[dict[str, Any]], int]:
    """A page of the matching entries, newest first, and how many match."""
    where = f.where()
    async with engine.connect() as conn:
        total = await conn.scalar(select(func.count()).select_from(AUDIT_LOG).where(*where))
        rows = (await conn.execute(select(AUDIT_LOG).where(*where).order_by(
            AUDIT_LOG.c.seq.desc()).limit(limit).offset(offset))).all()
    return [entry_json(r) for r in rows], total or 0


async def verify_trail(engine: AsyncEngine, page: int = VERIFY_PAGE) -> ChainStatus:
    """The whole trail recomputed from its first entry, read in pages by seq."""
    verifier, after = Verifier(), 0
    async with engine.connect() as conn:
        while True:
            rows = (await conn.execute(select(AUDIT_LOG).where(AUDIT_LOG.c.seq > after)
                                       .order_by(AUDIT_LOG.c.seq).limit(page))).all()
            for row in rows:
                verifier.feed(row._mapping)
            if len(rows) < page:
                return verifier.status
            after = rows[-1].seq


def audit_router(engine: AsyncEngine, tags: list[str] | None = None) -> APIRouter:
    router = APIRouter(tags=tags or ["audit"])

    @router.get("/audit", summary="The audit trail: who changed what, when, before and after")
    async def list_audit(
            entity_kind: Word = None, entity_id: Word = None,
            user: Annotated[str | None, Query(max_length=200, pattern=NO_CONTROLS,
                                              description="Who acted.")] = None,
            action: Word = None,
            since: Annotated[dt.datetime | None, Query(alias="from", description=(
                "Entries at or after this time (ISO 8601; UTC without an offset)."))] = None,
            until: Annotated[dt.datetime | None, Query(alias="to", description=(
                "Entries before this time."))] = None,
            limit: Annotated[int, Query(ge=1, le=500)] = 50,
            offset: Annotated[int, Query(ge=0, le=2**31)] = 0) -> dict[str, Any]:
        f = AuditFilter(entity_kind, entity_id, user, action, since, until)
        items, total = await entries(engine, f, limit, offset)
        return {"items": items, "total": total, "limit": limit, "offset": offset}

    @router.get("/audit/verify", summary="Recompute the audit trail's hash chain")
    async def verify_audit() -> dict[str, Any]:
        return (await verify_trail(engine)).as_dict()

    return router
