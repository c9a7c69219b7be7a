"""Set-based writes of a batch of job events (raw asyncpg, one statement per step).

Every writer locks the rows of the jobs it touches first (in job id order, so two
writers never deadlock); line numbers are taken under that lock and therefore commit
in order.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

ENSURE = """
insert into jobs (job_id, requested_at)
select * from unnest($1::uuid[], $2::timestamptz[])
on conflict (job_id) do nothing
"""
LOCK = """
select job_id, parts::text as parts, line_count from jobs
where job_id = any($1::uuid[]) order by job_id for update
"""
ADD_LINES = """
with incoming as (
    select distinct on (job_id, service, seq) *
    from unnest($1::uuid[], $2::text[], $3::bigint[], $4::timestamptz[], $5::text[], $6::text[],
                $7::text[])
        as x(job_id, service, seq, occurred_at, level, text, trace_id)
    order by job_id, service, seq
), fresh as (
    select i.* from incoming i
    where not exists (select 1 from job_lines l
                      where (l.job_id, l.service, l.seq) = (i.job_id, i.service, i.seq))
), added as (
    insert into job_lines (job_id, line_no, service, seq, occurred_at, level, text, trace_id)
    select f.job_id,
           j.line_count + row_number() over (partition by f.job_id
                                             order by f.occurred_at, f.service, f.seq),
           f.service, f.seq, f.occurred_at, f.level, f.text, f.trace_id
    from fresh f join jobs j using (job_id)
    returning job_id, line_no
)
select job_id, max(line_no) as line_count from added group by job_id
"""
SAVE = """
update jobs j set kind = x.kind, title = x.title, started_by = x.started_by, status = x.status,
    requested_at = x.requested_at, started_at = x.started_at, finished_at = x.finished_at,
    counts = x.counts::jsonb, reason = x.reason, progress = x.progress::jsonb,
    parts = x.parts::jsonb, line_count = greatest(j.line_count, x.line_count), updated_at = now()
from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[],
            $7::timestamptz[], $8::timestamptz[], $9::text[], $10::text[], $11::text[],
            $12::text[], $13::int[])
    as x(job_id, kind, title, started_by, status, requested_at, started_at, finished_at,
         counts, reason, progress, parts, line_count)
where j.job_id = x.job_id
"""
NOTIFY = "select pg_notify($1, j::text) from unnest($2::uuid[]) as j"


@dataclass(frozen=True)
class Line:
    job_id: uuid.UUID
    service: str
    seq: int
    occurred_at: dt.datetime
    level: str
    text: str
    trace_id: str | None = None


@dataclass(frozen=True)
class JobRow:
    job_id: uuid.UUID
    kind: str | None
    title: str | None
    started_by: str | None
    status: str
    requested_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    counts: dict[str, int]
    reason: str | None
    progress: list[dict[str, Any]]
    parts: dict[str, Any]
    line_count: int


async def lock_jobs(conn: Any, first_seen: dict[uuid.UUID, dt.datetime]
                    ) -> dict[uuid.UUID, tuple[dict[str, Any], int]]:
    """Create missing jobs, lock all of them; {job: (parts JSON, line count)}."""
    ids = sorted(first_seen)
    await conn.execute(ENSURE, ids, [first_seen[j] for j in ids])
    return {r["job_id"]: (orjson.loads(r["parts"]), r["line_count"])
            for r in await conn.fetch(LOCK, ids)}


async def add_lines(conn: Any, lines: Sequence[Line]) -> dict[uuid.UUID, int]:
    """Insert the lines not stored yet, numbered on from each job's count in production
    order; returns the new line count of each job that got lines."""
    if not lines:
        return {}
    rows = await conn.fetch(ADD_LINES, [x.job_id for x in lines], [x.service for x in lines],
                            [x.seq for x in lines], [x.occurred_at for x in lines],
                            [x.level for x in lines], [x.text for x in lines],
                            [x.trace_id for x in lines])
    return {r["job_id"]: r["line_count"] for r in rows}


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


async def save_jobs(conn: Any, rows: Sequence[JobRow]) -> None:
    await conn.execute(SAVE, [r.job_id for r in rows], [r.kind for r in rows],
                       [r.title for r in rows], [r.started_by for r in rows],
                       [r.status for r in rows], [r.requested_at for r in rows],
                       [r.started_at for r in rows], [r.finished_at for r in rows],
                       [_json(r.counts) for r in rows], [r.reason for r in rows],
                       [_json(r.progress) for r in rows], [_json(r.parts) for r in rows],
                       [r.line_count for r in rows])


async def notify(conn: Any, channel: str, job_ids: Sequence[uuid.UUID]) -> None:
    """Tell every replica's followers (sent by Postgres when the transaction commits)."""
    await conn.execute(NOTIFY, channel, list(job_ids))
