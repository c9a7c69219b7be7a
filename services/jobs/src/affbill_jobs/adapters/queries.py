"""Reads of the job log: one indexed statement each, on the raw asyncpg connection (the
detail route takes 200 requests/s; asyncpg's prepared statements cost a fraction of
building SQLAlchemy statements). JSON columns come back as text, handed on untouched."""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncConnection

from affbill_jobs.domain.model import Mark

SUMMARY = """job_id, kind, title, started_by, status, requested_at, started_at, finished_at,
    counts::text as counts, reason, line_count"""
LINE = "line_no, occurred_at, service, seq, level, text, trace_id"
JOB = f"select {SUMMARY}, progress::text as progress from jobs where job_id = $1"
JOB_STATE = "select status, line_count from jobs where job_id = $1"
FIRST_LINES = f"""
select {LINE} from job_lines where job_id = $1 and line_no <= $2
order by occurred_at, service, seq limit $3
"""
NEXT_LINES = f"""
select {LINE} from job_lines
where job_id = $1 and line_no <= $2 and (occurred_at, service, seq) > ($4, $5, $6)
order by occurred_at, service, seq limit $3
"""
LINES_ARRIVED = f"""
select {LINE} from job_lines where job_id = $1 and line_no > $2 and line_no <= $3
order by occurred_at, service, seq
"""


def _where(filters: dict[str, str | None], first: int) -> tuple[str, list[str]]:
    """Only the filters given (parameters numbered from ``first``), so each combination
    gets its own plan and index."""
    given = [(column, value) for column, value in filters.items() if value is not None]
    sql = " and ".join(f"{column} = ${i}" for i, (column, _) in enumerate(given, start=first))
    return (f"where {sql}" if sql else ""), [value for _, value in given]


async def raw(conn: AsyncConnection) -> Any:
    return (await conn.get_raw_connection()).driver_connection


def _job(record: Any) -> dict[str, Any]:
    row = dict(record)
    for column in ("counts", "progress"):
        if column in row:
            row[column] = orjson.Fragment(row[column])  # JSON already
    return row


async def list_jobs(conn: AsyncConnection, *, kind: str | None, status: str | None,
                    started_by: str | None, limit: int, offset: int
                    ) -> tuple[list[dict[str, Any]], int]:
    """A page of jobs, newest first, and how many match."""
    db = await raw(conn)
    filters = {"kind": kind, "status": status, "started_by": started_by}
    where, values = _where(filters, first=3)
    rows = [_job(r) for r in await db.fetch(
        f"select {SUMMARY} from jobs {where} order by requested_at desc, job_id desc "
        "limit $1 offset $2", limit, offset, *values)]
    if offset == 0 and len(rows) < limit:
        return rows, len(rows)
    where, values = _where(filters, first=1)
    return rows, await db.fetchval(f"select count(*) from jobs {where}", *values)


async def job(conn: AsyncConnection, job_id: uuid.UUID, *, detail: bool = False
              ) -> dict[str, Any] | None:
    record = await (await raw(conn)).fetchrow(JOB if detail else JOB_STATE, job_id)
    return _job(record) if record else None


async def lines_produced(conn: AsyncConnection, job_id: uuid.UUID, *, upto: int,
                         after: Mark | None, limit: int) -> list[dict[str, Any]]:
    """Lines numbered ≤ ``upto`` after ``after`` in production order (index job_lines_produced)."""
    db = await raw(conn)
    if after is None:
        return [dict(r) for r in await db.fetch(FIRST_LINES, job_id, upto, limit)]
    return [dict(r) for r in await db.fetch(NEXT_LINES, job_id, upto, limit, after.at,
                                            after.service, after.seq)]


async def lines_arrived(conn: AsyncConnection, job_id: uuid.UUID, *, above: int, upto: int
                        ) -> list[dict[str, Any]]:
    """Lines numbered in (above, upto], in production order (the primary key range)."""
    return [dict(r) for r in await (await raw(conn)).fetch(LINES_ARRIVED, job_id, above, upto)]
