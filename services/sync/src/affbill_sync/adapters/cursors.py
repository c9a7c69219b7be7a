"""The sync's cursors: fingerprints per natural key and digests per day.

A step reads them, stages its changes in temporary tables of its own session
(outside any transaction, so a long step never holds one open), and applies them
in one short transaction only after Kafka committed the step's facts; a failed
step drops the staged changes and leaves the cursors as they were.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import asyncpg
import orjson

STAGE_DAYS = """
create temporary table if not exists day_stage (
    seq bigserial, stat_date date not null, digests bytea not null, rows integer not null
)
"""
APPLY_DAYS = """
insert into stat_fingerprints (connector, stat_date, digests, rows, updated_at)
select distinct on (stat_date) $1, stat_date, digests, rows, now()
from day_stage order by stat_date, seq desc
on conflict (connector, stat_date) do update
set digests = excluded.digests, rows = excluded.rows, updated_at = now()
"""
STAGE = """
create temporary table if not exists fp_stage (
    seq bigserial, entity text not null, natural_key text not null, digest bytea, stat_date date,
    state text, removed boolean not null
)
"""
APPLY_UPSERT = """
insert into fingerprints (connector, entity, natural_key, digest, stat_date, state, updated_at)
select distinct on (entity, natural_key) $1, entity, natural_key, digest, stat_date, state, now()
from fp_stage where not removed
order by entity, natural_key, seq desc
on conflict (connector, entity, natural_key) do update
set digest = excluded.digest, stat_date = excluded.stat_date, state = excluded.state,
    updated_at = now()
"""
APPLY_DELETE = """
delete from fingerprints f using fp_stage s
where s.removed and f.connector = $1 and f.entity = s.entity and f.natural_key = s.natural_key
"""

STAGED = ["entity", "natural_key", "digest", "stat_date", "state", "removed"]
StagedRow = tuple[str, str, bytes | None, dt.date | None, str | None, bool]


class Cursors:
    """Bound to one asyncpg connection outside a transaction (one sync step)."""

    def __init__(self, conn: asyncpg.Connection, connector: str) -> None:
        self._conn = conn
        self._connector = connector
        self._staged = 0
        self._digests: list[tuple[str, dt.date, bytes]] = []

    async def open(self) -> None:
        await self._conn.execute(STAGE)
        await self._conn.execute(STAGE_DAYS)
        await self._conn.execute("truncate fp_stage, day_stage")
        self._days_staged = 0

    async def close(self) -> None:
        """Drop what the step staged: the pooled connection keeps no temporary tables."""
        await self._conn.execute("drop table if exists fp_stage, day_stage")

    async def known_days(self, date_from: dt.date, date_to: dt.date) -> set[dt.date]:
        """The days of the window with stat fingerprints: one query for the whole window."""
        rows = await self._conn.fetch(
            "select stat_date from stat_fingerprints where connector = $1 "
            "and stat_date between $2 and $3", self._connector, date_from, date_to)
        return {r[0] for r in rows}

    async def stat_day(self, day: dt.date) -> dict[str, bytes]:
        """The fingerprints of a day's stat rows: natural key → digest."""
        blob = await self._conn.fetchval(
            "select digests from stat_fingerprints where connector = $1 and stat_date = $2",
            self._connector, day)
        return {k: bytes.fromhex(v) for k, v in orjson.loads(blob).items()} if blob else {}

    async def stage_stat_day(self, day: dt.date, digests: dict[str, bytes]) -> None:
        blob = orjson.dumps({k: v.hex() for k, v in digests.items()})
        await self._conn.copy_records_to_table("day_stage", records=[(day, blob, len(digests))],
                                               columns=["stat_date", "digests", "rows"])
        self._days_staged += 1

    async def entity(self, entity: str) -> dict[str, tuple[bytes, str | None, dt.date | None]]:
        rows = await self._conn.fetch(
            "select natural_key, digest, state, stat_date from fingerprints "
            "where connector = $1 and entity = $2", self._connector, entity)
        return {r[0]: (r[1], r[2], r[3]) for r in rows}

    async def day_digests(self, days: Iterable[dt.date]) -> dict[dt.date, bytes]:
        rows = await self._conn.fetch(
            "select stat_date, digest from day_digests where connector = $1 "
            "and stat_date = any($2::date[])", self._connector, list(days))
        return {r[0]: r[1] for r in rows}

    async def stage(self, rows: list[StagedRow]) -> None:
        if rows:
            await self._conn.copy_records_to_table("fp_stage", records=rows, columns=STAGED)
            self._staged += len(rows)

    def stage_day_digest(self, day: dt.date, digest: bytes | None) -> None:
        self._digests.append((self._connector, day, digest or b""))

    async def apply(self) -> None:
        async with self._conn.transaction():
            await self._apply()
        await self.close()

    async def _apply(self) -> None:
        if self._days_staged:
            await self._conn.execute(APPLY_DAYS, self._connector)
        if self._staged:
            await self._conn.execute(APPLY_DELETE, self._connector)
            await self._conn.execute(APPLY_UPSERT, self._connector)
        for connector, day, digest in self._digests:
            if digest:
                await self._conn.execute(
                    "insert into day_digests (connector, stat_date, digest) values ($1, $2, $3) "
                    "on conflict (connector, stat_date) do update set digest = excluded.digest, "
                    "updated_at = now()", connector, day, digest)
            else:  # the day had quarantined rows: read it in detail next time
                await self._conn.execute(
                    "delete from day_digests where connector = $1 and stat_date = $2",
                    connector, day)


async def quarantine(conn: asyncpg.Connection, job_id: Any, connector: str,
                     rows: list[tuple[str, str | None, str, str]]) -> None:
    """rows: (entity, natural_key, reason, raw json)."""
    await conn.executemany(
        "insert into quarantine (job_id, connector, entity, natural_key, reason, raw) "
        "values ($1, $2, $3, $4, $5, $6::jsonb)",
        [(job_id, connector, e, k, reason, raw) for e, k, reason, raw in rows])
