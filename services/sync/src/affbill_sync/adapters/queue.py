"""The sync queue in sync_runs: claim, lease, lapse, cancel — each one short statement
or transaction, so no connection stays in a transaction while a sync runs."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

# Claims and lapses are serialised by one transaction lock: two workers never start two
# syncs of one connector, and a lapsed run is taken over once.
_SERIALISE = text("select pg_advisory_xact_lock(hashtext('affbill.sync.queue'))")
_CLAIM = text("""
update sync_runs set status = 'running', started_at = now(), attempts = attempts + 1,
       lease_until = now() + make_interval(secs => :lease)
where job_id = (
    select job_id from sync_runs r
    where status = 'queued' and not exists (
        select 1 from sync_runs x where x.connector = r.connector and x.status = 'running')
    order by requested_at limit 1 for update skip locked)
returning job_id, connector, scope, date_from, date_to, requested_by, republish
""")
_LAPSED = text("""
select job_id, connector, scope, requested_by, attempts, lease_until from sync_runs
where status = 'running' and (lease_until is null or lease_until < now())
order by requested_at for update
""")
_RENEW = text("""
update sync_runs set lease_until = now() + make_interval(secs => :lease)
where job_id = :j and status = 'running' returning cancel_requested_by
""")
_ASK_TO_STOP = text("""
update sync_runs set cancel_requested_by = coalesce(cancel_requested_by, :by),
       cancel_requested_at = coalesce(cancel_requested_at, now())
where job_id = :j and status in ('queued', 'running')
returning status, connector, scope
""")


@dataclass(frozen=True)
class SyncRun:
    job_id: uuid.UUID
    connector: str
    scope: str
    date_from: dt.date
    date_to: dt.date
    requested_by: str
    republish: bool = False  # publish every stat row again (StartSync.republish)


@dataclass(frozen=True)
class Lease:
    """What a renewal found: whether the run is still this worker's, and a stop request."""

    held: bool
    cancel_requested_by: str | None = None


async def claim(engine: AsyncEngine, lease_s: float) -> SyncRun | None:
    """The oldest queued sync whose connector runs nothing, now running under a lease."""
    async with engine.begin() as conn:
        await conn.execute(_SERIALISE)
        row = (await conn.execute(_CLAIM, {"lease": lease_s})).first()
    return SyncRun(*row) if row else None


async def renew(engine: AsyncEngine, job_id: uuid.UUID, lease_s: float) -> Lease:
    async with engine.begin() as conn:
        row = (await conn.execute(_RENEW, {"j": job_id, "lease": lease_s})).first()
    return Lease(False) if row is None else Lease(True, row.cancel_requested_by)


async def lapsed(session: AsyncSession) -> list[Any]:
    """Running syncs whose lease ran out (their process is gone), locked for this
    transaction. Call inside the unit of work that re-queues or fails them."""
    await session.execute(_SERIALISE)
    return list((await session.execute(_LAPSED)).all())


async def set_status(session: AsyncSession, job_id: uuid.UUID, status: str,
                     reason: str | None = None) -> None:
    finished = status not in ("queued", "running")
    await session.execute(text(
        "update sync_runs set status = :s, reason = coalesce(:r, reason), lease_until = null, "
        "finished_at = case when :f then now() else finished_at end where job_id = :j"),
        {"s": status, "r": reason, "f": finished, "j": job_id})


async def ask_to_stop(session: AsyncSession, job_id: uuid.UUID, by: str) -> Any:
    """Record a stop request; returns (status, connector, scope) or None when the sync
    is unknown or already over."""
    return (await session.execute(_ASK_TO_STOP, {"j": job_id, "by": by})).first()
