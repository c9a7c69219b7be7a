"""SQL of the work items (commands recorded for the worker) and of what a run left behind.

A work item is claimed with a lease: the claim takes a row nobody holds (pending and due, or
running with an expired lease) under FOR UPDATE SKIP LOCKED and stamps the lease; every
later write names the lease owner, so a worker that lost its lease changes nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

CLAIM = text("""
update work_items set status = 'running', lease_owner = :owner, attempts = attempts + 1,
    lease_until = now() + make_interval(secs => :lease)
where item_id = (
    select item_id from work_items
    where (status = 'pending' and not_before <= now())
       or (status = 'running' and lease_until < now())
    order by recorded_at, item_id limit 1 for update skip locked)
returning item_id, kind, job_id, subject, command, attempts, last_error, traceparent
""")
MINE = "item_id = :item and lease_owner = :owner and status = 'running'"


@dataclass(frozen=True)
class Claimed:
    item_id: uuid.UUID
    kind: str
    job_id: uuid.UUID
    subject: uuid.UUID
    command: bytes
    attempts: int  # including this one
    last_error: str | None
    traceparent: str | None = None  # of the consumer that recorded it: the work continues it


async def record(session: AsyncSession, item_id: uuid.UUID, kind: str, job_id: uuid.UUID,
                 subject: uuid.UUID, command: bytes, traceparent: str | None = None) -> bool:
    """Insert the command once (by event id and by subject); False when it was known."""
    return (await session.execute(text(
        "insert into work_items (item_id, kind, job_id, subject, command, traceparent) "
        "values (:i, :k, :j, :s, :c, :t) on conflict do nothing returning 1"),
        {"i": item_id, "k": kind, "j": job_id, "s": subject, "c": command,
         "t": traceparent})).first() is not None


async def claim(session: AsyncSession, owner: str, lease_s: float) -> Claimed | None:
    row = (await session.execute(CLAIM, {"owner": owner, "lease": lease_s})).first()
    return None if row is None else Claimed(*row[:4], bytes(row[4]), *row[5:])


async def renew(session: AsyncSession, item_id: uuid.UUID, owner: str, lease_s: float) -> bool:
    """Extend the lease; False when it is no longer this owner's."""
    return (await session.execute(text(
        f"update work_items set lease_until = now() + make_interval(secs => :lease) "
        f"where {MINE} returning 1"),
        {"item": item_id, "owner": owner, "lease": lease_s})).first() is not None


async def done(session: AsyncSession, item_id: uuid.UUID, owner: str) -> bool:
    return (await session.execute(text(
        f"update work_items set status = 'done', finished_at = now(), lease_owner = null, "
        f"lease_until = null, last_error = null where {MINE} returning 1"),
        {"item": item_id, "owner": owner})).first() is not None


async def retry_later(session: AsyncSession, item_id: uuid.UUID, owner: str, error: str | None,
                      delay_s: float, count_attempt: bool = True) -> bool:
    """Back to pending, due after ``delay_s``; a release at shutdown gives its attempt back."""
    return (await session.execute(text(
        f"update work_items set status = 'pending', lease_owner = null, lease_until = null, "
        f"not_before = now() + make_interval(secs => :delay), "
        f"last_error = coalesce(:error, last_error), "
        f"attempts = attempts - case when :counted then 0 else 1 end where {MINE} returning 1"),
        {"item": item_id, "owner": owner, "error": error, "delay": delay_s,
         "counted": count_attempt})).first() is not None


async def failed(session: AsyncSession, item_id: uuid.UUID, owner: str, error: str) -> bool:
    return (await session.execute(text(
        f"update work_items set status = 'failed', finished_at = now(), lease_owner = null, "
        f"lease_until = null, last_error = :error where {MINE} returning 1"),
        {"item": item_id, "owner": owner, "error": error})).first() is not None


@dataclass(frozen=True)
class RunTotals:
    """What a run created, read from its documents (whichever process created them)."""

    documents_created: int
    drafts_created: int
    invoiced: dict[str, Decimal]  # gross per currency of its issued documents
    recorded_counts: dict[str, int]  # runs.counts as the run's last process wrote them


async def run_totals(session: AsyncSession, run_id: uuid.UUID) -> RunTotals:
    # a run's own documents carry no presets; drafts it created do (and keep them if issued)
    rows = (await session.execute(text("""
        select currency, count(*) filter (where presets is null and status <> 'pending'),
               count(*) filter (where presets is not null),
               coalesce(sum(gross_total) filter (where presets is null
                                                 and status <> 'pending'), 0)
        from invoices where run_id = :r group by currency"""), {"r": run_id})).all()
    counts = await session.scalar(text("select counts from runs where run_id = :r"),
                                  {"r": run_id})
    return RunTotals(sum(r[1] for r in rows), sum(r[2] for r in rows),
                     {r[0]: r[3] for r in rows if r[1]}, dict(counts or {}))


async def store_run_counts(session: AsyncSession, run_id: uuid.UUID, counts: str) -> None:
    await session.execute(text("update runs set counts = cast(:c as jsonb) where run_id = :r"),
                          {"c": counts, "r": run_id})


async def run_failed(session: AsyncSession, run_id: uuid.UUID) -> None:
    await session.execute(text("update runs set status = 'failed', finished_at = now() "
                               "where run_id = :r and status <> 'finished'"), {"r": run_id})


async def issued_by_job(session: AsyncSession, job_id: uuid.UUID) -> int:
    """Documents a bulk-issue job issued (whichever process issued them)."""
    return int(await session.scalar(text(
        "select count(*) from invoices where job_id = :j and status <> 'draft'"),
        {"j": job_id}) or 0)
