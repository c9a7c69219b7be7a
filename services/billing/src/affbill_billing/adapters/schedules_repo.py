"""SQL of schedules, their runs per period (the key that makes each run happen once) and
the leadership row that names the process executing them."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import text

from affbill_billing.domain.periods import BillingFrequency, BillingPeriod
from affbill_billing.domain.schedules import Schedule

COLUMNS = ("schedule_id, frequency, delay_days, hour, first_period_start, customer_kind, "
           "currency, account_manager_id, invoice_date_rule, due_date_basis, paused_reason, "
           "created_by, created_at, updated_by, updated_at, version")
EDITABLE = ("delay_days", "hour", "customer_kind", "currency", "account_manager_id",
            "invoice_date_rule", "due_date_basis", "paused_reason")
# a scheduled run's row, made once; the first maker starts its job
WAITING = text("""
insert into scheduled_runs (schedule_id, period_start, period_end, run_id, status, due_at)
values (:s, :ps, :pe, :r, 'waiting', :due) on conflict do nothing returning 1""")
RECENT_RUNS = text("""
select s.schedule_id, s.period_start, s.period_end, s.run_id, s.status, s.waiting_for,
       s.due_at, s.checked_at, s.started_at, s.started_by, r.status as run_status,
       r.documents_created, r.drafts_created, r.customers_skipped
from scheduled_runs s left join runs r on r.run_id = s.run_id
where (cast(:s as text) is null or s.schedule_id = :s)
order by s.period_start desc, s.schedule_id limit :n""")


def schedule_of(row: Any) -> Schedule:
    return Schedule(row.schedule_id, BillingFrequency(row.frequency), row.delay_days, row.hour,
                    row.first_period_start, paused=row.paused_reason is not None)


async def create(conn: Any, values: dict[str, Any]) -> bool:
    """Store a new schedule; False when one with its id exists."""
    names = ", ".join(values)
    return (await conn.execute(text(
        f"insert into schedules ({names}, updated_by) values "
        f"({', '.join(':' + n for n in values)}, :created_by) "
        "on conflict do nothing returning 1"), values)).first() is not None


async def one(conn: Any, schedule_id: str) -> Any:
    return (await conn.execute(text(f"select {COLUMNS} from schedules where schedule_id = :s"),
                               {"s": schedule_id})).first()


async def every(conn: Any) -> list[Any]:
    return list((await conn.execute(text(
        f"select {COLUMNS} from schedules order by schedule_id"))).all())


async def change(conn: Any, schedule_id: str, changes: dict[str, Any], by: str,
                 version: int | None) -> Any:
    """Apply the changes (EDITABLE fields only) and bump the version; None when the schedule
    is not there or not at ``version``."""
    sets = "".join(f", {name} = :{name}" for name in changes if name in EDITABLE)
    return (await conn.execute(text(
        f"update schedules set version = version + 1, updated_by = :by, updated_at = now()"
        f"{sets} where schedule_id = :s and (cast(:v as integer) is null or version = :v) "
        f"returning {COLUMNS}"), {**changes, "s": schedule_id, "by": by, "v": version})
    ).first()


async def open_run(conn: Any, schedule_id: str, period: BillingPeriod, run_id: uuid.UUID,
                   due: dt.datetime) -> tuple[bool, Any]:
    """The period's run row of the schedule, made if missing and locked for this transaction
    (two leaders for a moment queue here); (made now, row)."""
    made = (await conn.execute(WAITING, {"s": schedule_id, "ps": period.start,
                                         "pe": period.end, "r": run_id, "due": due})
            ).first() is not None
    row = (await conn.execute(text(
        "select status, waiting_for from scheduled_runs where schedule_id = :s "
        "and period_start = :ps for update"), {"s": schedule_id, "ps": period.start})).one()
    return made, row


async def still_waiting(conn: Any, schedule_id: str, period: BillingPeriod, reason: str
                        ) -> None:
    await conn.execute(text(
        "update scheduled_runs set waiting_for = :why, checked_at = now() "
        "where schedule_id = :s and period_start = :ps"),
        {"why": reason, "s": schedule_id, "ps": period.start})


async def started(conn: Any, schedule_id: str, period: BillingPeriod, by: str) -> None:
    await conn.execute(text(
        "update scheduled_runs set status = 'started', waiting_for = null, "
        "checked_at = now(), started_at = now(), started_by = :by "
        "where schedule_id = :s and period_start = :ps"),
        {"by": by, "s": schedule_id, "ps": period.start})


async def recent_runs(conn: Any, schedule_id: str | None, count: int) -> list[dict[str, Any]]:
    rows = (await conn.execute(RECENT_RUNS, {"s": schedule_id, "n": count})).mappings()
    return [dict(r) for r in rows]


async def lead(conn: Any, holder: str) -> None:
    """Name ``holder`` the leader (since now, unless it led already)."""
    await conn.execute(text(
        "insert into schedule_leadership (one, holder) values (true, :h) "
        "on conflict (one) do update set holder = :h, "
        "since = case when schedule_leadership.holder = :h then schedule_leadership.since "
        "else now() end"), {"h": holder})


async def leader(conn: Any) -> Any:
    return (await conn.execute(text(
        "select holder, since from schedule_leadership"))).first()
