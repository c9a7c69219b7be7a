"""Reading the job log: pages of jobs, a job with its first lines, and following its lines.

A follower asks for lines after a cursor (see domain/cursor.py). With ``wait`` it is
answered as soon as new lines arrive or the job finishes, else when the wait is over;
while waiting it holds no database connection.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from affbill_jobs.adapters import queries
from affbill_jobs.adapters.notifications import JobBoard
from affbill_jobs.domain import cursor as cursors
from affbill_jobs.domain.cursor import Cursor, Page, Tail
from affbill_jobs.domain.model import FINISHED, Mark, Status


class UnknownJob(Exception):
    pass


class BadCursor(ValueError):
    pass


@dataclass(frozen=True)
class Lines:
    items: list[dict[str, Any]]
    next: Cursor
    finished: bool
    total: int


def _line(row: dict[str, Any]) -> dict[str, Any]:
    return {"time": row["occurred_at"], "level": row["level"], "service": row["service"],
            "text": row["text"], "trace_id": row["trace_id"]}


async def _read(conn: AsyncConnection, job_id: uuid.UUID, job: dict[str, Any] | None,
                after: Cursor | None, limit: int) -> Lines:
    """Lines of a job (its row given: status and line_count) after the cursor."""
    if job is None:
        raise UnknownJob(job_id)
    count = job["line_count"]
    if after is None:  # from the start: the lines there are now, in production order
        after = Page(count, None) if count else Tail(0)
    if after.upto > count:
        raise BadCursor("the cursor is beyond this job's lines")
    if isinstance(after, Page):
        rows = await queries.lines_produced(conn, job_id, upto=after.upto, after=after.last,
                                            limit=limit + 1)
        if len(rows) > limit:
            rows = rows[:limit]
            last = rows[-1]
            nxt: Cursor = Page(after.upto, Mark(last["occurred_at"], last["service"],
                                                last["seq"]))
        else:
            nxt = Tail(after.upto)
    else:
        upto = min(count, after.upto + limit)
        rows = (await queries.lines_arrived(conn, job_id, above=after.upto, upto=upto)
                if upto > after.upto else [])
        nxt = Tail(upto)
    done = Status(job["status"]) in FINISHED and isinstance(nxt, Tail) and nxt.upto == count
    return Lines([_line(r) for r in rows], nxt, done, count)


def parse_cursor(text: str | None) -> Cursor | None:
    if text is None:
        return None
    try:
        return cursors.decode(text)
    except ValueError as exc:
        raise BadCursor(str(exc)) from None


async def job_detail(engine: AsyncEngine, job_id: uuid.UUID, lines: int) -> dict[str, Any]:
    """The job with its progress and the first page of its lines."""
    async with engine.connect() as conn:
        job = await queries.job(conn, job_id, detail=True)
        page = await _read(conn, job_id, job, None, lines)
    assert job is not None
    return {**job, "lines": page}


async def follow_lines(engine: AsyncEngine, board: JobBoard, job_id: uuid.UUID,
                       after: Cursor | None, limit: int, wait_s: float,
                       poll_s: float) -> Lines:
    """Lines after the cursor; with ``wait_s`` > 0 waits for some (or the job's end)."""
    deadline = time.monotonic() + wait_s
    while True:
        changed = board.watch(job_id)
        async with engine.connect() as conn:
            page = await _read(conn, job_id, await queries.job(conn, job_id), after, limit)
        left = deadline - time.monotonic()
        if page.items or page.finished or left <= 0:
            return page
        after = page.next
        try:  # the poll bounds the wait when a notification from another replica is lost
            await asyncio.wait_for(changed.wait(), timeout=min(left, poll_s))
        except TimeoutError:
            pass
