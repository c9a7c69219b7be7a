"""Schedules as the clerk sees them: create, change, pause and resume, and list them with the
next run each will start and the runs they started."""

from __future__ import annotations

import datetime as dt
from typing import Any

from affbill_billing.adapters import schedules_repo
from affbill_billing.config import Settings
from affbill_billing.domain.periods import BillingFrequency, period_of
from affbill_billing.domain.schedules import Schedule, first_period, next_due
from affbill_billing.service_layer.errors import NotFound, Refused, StaleVersion
from affbill_contracts.periods import period_days

RECENT = 12  # scheduled runs shown with a schedule


def first_period_start(frequency: BillingFrequency, named: str | None, today: dt.date
                       ) -> dt.date:
    """The first period a new schedule bills: the named one (its first day's period of the
    schedule's frequency), else the last closed one."""
    if named is None:
        return first_period(frequency, today).start
    return period_of(frequency, period_days(named)[0]).start


async def create(engine: Any, values: dict[str, Any], first: str | None, by: str,
                 settings: Settings) -> dict[str, Any]:
    """Store a new schedule (Refused when its id is taken); ValueError names a bad field."""
    frequency = BillingFrequency(values["frequency"])
    start = first_period_start(frequency, first, settings.today())
    Schedule(values["schedule_id"], frequency, values["delay_days"], values["hour"], start)
    async with engine.begin() as conn:
        if not await schedules_repo.create(conn, {**values, "first_period_start": start,
                                                  "created_by": by}):
            raise Refused(f"A schedule {values['schedule_id']!r} exists already; change it "
                          "with PATCH or choose another id")
    return await one(engine, values["schedule_id"], settings)


async def change(engine: Any, schedule_id: str, changes: dict[str, Any], by: str,
                 version: int | None, settings: Settings) -> dict[str, Any]:
    """Change, pause (``paused_reason``) or resume (``paused_reason`` None) a schedule."""
    async with engine.begin() as conn:
        current = await schedules_repo.one(conn, schedule_id)
        if current is None:
            raise NotFound(f"No schedule {schedule_id!r}")
        merged = {**current._mapping, **changes}
        Schedule(schedule_id, BillingFrequency(current.frequency), merged["delay_days"],
                 merged["hour"], current.first_period_start)
        if await schedules_repo.change(conn, schedule_id, changes, by, version) is None:
            raise StaleVersion(current.version)
    return await one(engine, schedule_id, settings)


async def one(engine: Any, schedule_id: str, settings: Settings) -> dict[str, Any]:
    async with engine.connect() as conn:
        row = await schedules_repo.one(conn, schedule_id)
        if row is None:
            raise NotFound(f"No schedule {schedule_id!r}")
        runs = await schedules_repo.recent_runs(conn, schedule_id, RECENT)
    return {**as_json(row, settings), "runs": runs}


async def every(engine: Any, settings: Settings) -> dict[str, Any]:
    """Every schedule with its next run, the latest scheduled runs, and the leader."""
    async with engine.connect() as conn:
        rows = await schedules_repo.every(conn)
        runs = await schedules_repo.recent_runs(conn, None, RECENT)
        leader = await schedules_repo.leader(conn)
    return {"time_zone": settings.network_time_zone,
            "leader": None if leader is None else dict(leader._mapping),
            "items": [as_json(r, settings) for r in rows], "runs": runs}


def as_json(row: Any, settings: Settings, now: dt.datetime | None = None) -> dict[str, Any]:
    schedule = schedules_repo.schedule_of(row)
    period, at = next_due(schedule, now or dt.datetime.now(dt.UTC), settings.zone())
    return {**row._mapping, "paused": schedule.paused,
            "next_run": None if schedule.paused else {
                "period_start": period.start, "period_end": period.end, "due_at": at}}
