"""Billing periods as the clerk sees them: recent periods with their readiness, and the
readiness check a run makes before it bills."""

from __future__ import annotations

import datetime as dt
from typing import Any

from affbill_billing.adapters import periods_repo
from affbill_billing.config import Settings
from affbill_billing.domain.periods import BillingFrequency, BillingPeriod, last_closed, period_of
from affbill_billing.domain.readiness import Readiness, readiness, settled_after
from affbill_billing.domain.runs import last_day_read
from affbill_contracts.billing import ProcessSelected
from affbill_contracts.jobs import LogLevel
from affbill_runtime.jobs import JobReporter


async def readiness_of(conn: Any, periods: list[BillingPeriod], settings: Settings
                       ) -> list[Readiness]:
    """The readiness of each period, from the syncs billing learnt of (one read each)."""
    if not periods:
        return []
    zone, settle = settings.zone(), dt.timedelta(hours=settings.period_settle_h)
    known = await periods_repo.connectors(conn)
    outcomes = await periods_repo.outcomes_since(
        conn, min(settled_after(p, zone, settle) for p in periods))
    return [readiness(p, zone, settle, known, outcomes) for p in periods]


def recent(frequency: BillingFrequency, today: dt.date, count: int) -> list[BillingPeriod]:
    """The ``count`` latest periods of the frequency that are over, newest first."""
    periods, day = [], today
    for _ in range(count):
        period = period_of(frequency, period_of(frequency, day).start - dt.timedelta(days=1))
        periods.append(period)
        day = period.end
    return periods


def as_json(r: Readiness, frequency: BillingFrequency | None = None,
            lock: tuple[Any, str, str] | None = None) -> dict[str, Any]:
    return {"frequency": frequency, "start": r.period.start, "end": r.period.end,
            "ready": r.ready, "ready_after": r.ready_after, "status": r.describe(),
            "locked": None if lock is None else {"at": lock[0], "by": lock[1],
                                                 "reason": lock[2]},
            "connectors": [{"connector": c.connector, "ready": c.synced_at is not None,
                            "synced_at": c.synced_at} for c in r.connectors]}


async def list_periods(engine: Any, frequency: BillingFrequency, count: int,
                       settings: Settings, today: dt.date | None = None) -> dict[str, Any]:
    """The latest closed periods of a frequency with their readiness (GET /periods)."""
    periods = recent(frequency, today or settings.today(), count)
    async with engine.connect() as conn:
        found = await readiness_of(conn, periods, settings)
        locks = await periods_repo.locks(conn, [(p.start, p.end) for p in periods])
    return {"time_zone": settings.network_time_zone, "settle_hours": settings.period_settle_h,
            "items": [as_json(r, frequency, locks.get((r.period.start, r.period.end)))
                      for r in found]}


def period_line(run: ProcessSelected, today: dt.date) -> str:
    """The job log's line on what the run bills."""
    if run.period_end is None:
        return (f"Billing period: each customer's last closed period (weekly, biweekly, "
                f"monthly or quarterly by its profile) before {today}")
    named = (f"{run.period_start}..{run.period_end}" if run.period_start
             else f"items up to {run.period_end}")
    if run.period_end >= today:
        return (f"Billing period: {named}; the current day is never billed: items up to "
                f"{last_day_read(run.period_end, today)}")
    return f"Billing period: {named}"


async def run_periods(conn: Any, run: ProcessSelected, customers: list[str], today: dt.date
                      ) -> list[BillingPeriod]:
    """The periods a run bills: the one the clerk named, or the last closed period of each
    billing frequency among its customers (a last day alone: that day)."""
    if run.period_end is not None:
        return [BillingPeriod(run.period_start or run.period_end, run.period_end)]
    return [last_closed(f, today) for f in await periods_repo.frequencies(conn, customers)]


async def check_run(conn: Any, job: JobReporter, run: ProcessSelected, customers: list[str],
                    today: dt.date, settings: Settings) -> str | None:
    """Log the readiness of the run's periods; the reason to refuse the run when one is
    locked, or not ready and nobody forced it (None: bill)."""
    billed = await run_periods(conn, run, customers, today)
    locked = await periods_repo.locks(conn, [(p.start, p.end) for p in billed])
    if locked:
        return "; ".join(
            f"Period {start}..{end} is locked (by {by} at {at:%Y-%m-%d %H:%M} UTC: {why}); "
            "restatements of its days are billed in the next open period"
            for (start, end), (at, by, why) in sorted(locked.items()))
    if not settings.runs_need_ready_period:
        return None
    unready = [r for r in await readiness_of(conn, billed, settings) if not r.ready]
    if not unready:
        return None
    status = "; ".join(r.describe() for r in unready)
    if run.force_reason:
        job.log(f"{status}. Forced by {run.requested_by}: {run.force_reason}", LogLevel.WARNING)
        return None
    return f"{status}. Run again when it is ready, or force it with a reason"


async def lock_period(engine: Any, start: dt.date, end: dt.date, by: str, reason: str) -> bool:
    """Lock a billed period by hand: runs for it are refused from now on (False: it was
    locked already)."""
    async with engine.begin() as conn:
        return await periods_repo.lock(conn, start, end, by, reason)


async def lock_after_run(conn: Any, run_id: Any, ctx: Any, by: str) -> list[BillingPeriod]:
    """The run's periods locked, when the setting asks for it after every run."""
    if ctx.period_end is not None:
        billed = ([BillingPeriod(ctx.period_start, ctx.period_end)]
                  if ctx.period_start else [])
    else:
        billed = [last_closed(f, ctx.today)
                  for f in await periods_repo.frequencies_of_run(conn, run_id)]
    for p in billed:
        await periods_repo.lock(conn, p.start, p.end, by, "locked after the run")
    return billed
