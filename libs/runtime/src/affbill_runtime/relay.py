"""The outbox relay: sends committed outbox rows to Kafka, at least once, in order per key.

One relay per service schema publishes at a time: a session-level Postgres
advisory lock elects it, taken on a connection in autocommit, so the leader
holds no open transaction (VACUUM goes on) and checks every round, on that same
connection, that the lock is still its own. It reads, sends and marks rows on
that connection: if the session ends (timeout, pooler, pg_terminate_backend) the
next statement fails, the relay stops publishing at once and stands for election
again. Rows go out in id order, so events with the same key keep the order their
transactions committed in. A row is marked published only after Kafka
acknowledged it; a crash in between re-sends it, and consumers de-duplicate on
event_id (inbox.py). A row's ``traceparent`` goes out as the Kafka header of that name.

A row Kafka refuses for good (over the size limit, a topic that does not exist,
not authorised) is set aside as failed (``failed_at``, ``failure``) with an ERROR
alert, and the relay goes on with the next rows. To keep each key in order, every
later row of the same key is set aside too ("held back"), until an operator
re-queues the key (docs/decisions.md).
"""

from __future__ import annotations

import asyncio
import logging
import time
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.types import BigInteger, Text

from affbill_runtime import inbox
from affbill_runtime.refusals import refusal

log = logging.getLogger("affbill.outbox")
HEADERS = [("content-type", b"application/json")]

_BATCH = text("""
select o.id, o.topic, o.key, o.value, o.traceparent,
       (select min(f.id) from outbox f
        where f.failed_at is not null and f.key = o.key and f.id < o.id) as held_by
from outbox o where o.published_at is null and o.failed_at is null
order by o.id limit :n
""")
_MARK_PUBLISHED = text("update outbox set published_at = now() where id = any(:ids)"
                       ).bindparams(bindparam("ids", type_=ARRAY(BigInteger)))
_MARK_FAILED = text("""
update outbox o set failed_at = now(), failure = f.reason
from unnest(:ids, :reasons) as f(id, reason) where o.id = f.id
""").bindparams(bindparam("ids", type_=ARRAY(BigInteger)),
                bindparam("reasons", type_=ARRAY(Text)))
_STILL_LEADER = text("""
select count(*) from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()
and granted and classid = 0 and objid::bigint = :k and objsubid = 1
""")


def _headers(traceparent: str | None) -> list[tuple[str, bytes]]:
    """Content type, and the writer's trace context when the row kept one."""
    if traceparent is None:
        return HEADERS
    return [*HEADERS, ("traceparent", traceparent.encode("latin-1"))]


class Producer(Protocol):
    async def send(self, topic: str, value: bytes, key: bytes | None = None,
                   headers: Any = None) -> asyncio.Future[Any]: ...


class LeadershipLost(Exception):
    """The leader's session no longer holds the relay's advisory lock."""


class OutboxRelay:
    def __init__(self, engine: AsyncEngine, producer: Producer, *, schema: str,
                 batch_size: int = 1000, poll_interval_s: float = 0.2,
                 retention: timedelta = timedelta(hours=72),
                 inbox_retention: timedelta = timedelta(days=14),
                 maintenance_interval_s: float = 600, election_interval_s: float = 2) -> None:
        self._engine = engine
        self._producer = producer
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._retention = retention
        self._inbox_retention = inbox_retention
        self._maintenance_interval_s = maintenance_interval_s
        self._election_interval_s = election_interval_s
        self._lock_id = zlib.crc32(f"affbill.outbox.{schema}".encode())
        self._wakeup = asyncio.Event()
        self.published = 0
        self.failed = 0
        self.leading = False

    def wake(self) -> None:
        self._wakeup.set()

    async def run(self) -> None:
        """Publish forever; only the relay holding the schema's advisory lock works."""
        while True:
            try:
                if not await self._lead():
                    await asyncio.sleep(self._election_interval_s)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay stopped publishing; standing for election in 1 s")
                await asyncio.sleep(1)

    async def _lead(self) -> bool:
        """Take the lock and publish until leadership or the connection is lost; returns
        False when another relay leads."""
        async with self._engine.connect() as leader:
            await leader.execution_options(isolation_level="AUTOCOMMIT")
            if not await leader.scalar(text("select pg_try_advisory_lock(:k)"),
                                       {"k": self._lock_id}):
                return False
            self.leading = True
            log.info("outbox relay elected leader")
            try:
                await self._publish_loop(leader)
            finally:
                self.leading = False
                # closing the session releases the lock whatever state it is in
                await leader.invalidate()
        return True  # pragma: no cover - the loop only ends by an exception

    async def _publish_loop(self, leader: AsyncConnection) -> None:
        next_maintenance = time.monotonic() + self._maintenance_interval_s
        backoff = 0.0
        while True:
            if not await leader.scalar(_STILL_LEADER, {"k": self._lock_id}):
                raise LeadershipLost("the relay's advisory lock is no longer held")
            try:
                sent = await self.relay_once(leader)
                backoff = 0.0
            except SQLAlchemyError:
                raise  # the leader's session is in doubt: stop publishing, stand again
            except Exception as exc:  # Kafka unreachable and the like: keep the lead, wait
                backoff = min(30.0, max(0.5, backoff * 2))
                log.warning("outbox relay could not send; retrying in %.1f s", backoff,
                            extra={"error": f"{type(exc).__name__}: {exc}"})
                await asyncio.sleep(backoff)
                continue
            if time.monotonic() >= next_maintenance:
                await self.maintain(leader)
                next_maintenance = time.monotonic() + self._maintenance_interval_s
            if sent < self._batch_size:
                try:
                    await asyncio.wait_for(self._wakeup.wait(), self._poll_interval_s)
                except TimeoutError:
                    pass
                self._wakeup.clear()

    async def relay_once(self, conn: AsyncConnection | None = None) -> int:
        """Send one batch of rows; returns how many were handled (sent or set aside)."""
        if conn is None:
            async with self._engine.connect() as own:
                await own.execution_options(isolation_level="AUTOCOMMIT")
                return await self._relay_batch(own)
        return await self._relay_batch(conn)

    async def _relay_batch(self, conn: AsyncConnection) -> int:
        rows = (await conn.execute(_BATCH, {"n": self._batch_size})).all()
        if not rows:
            return 0
        failures: dict[int, str] = {}
        failed_key: dict[str, int] = {}  # key → id of its first row set aside in this batch
        acks: list[tuple[Any, asyncio.Future[Any]]] = []
        for r in rows:
            first = failed_key.get(r.key) if r.key is not None else None
            if first is not None or r.held_by is not None:
                failures[r.id] = (f"held back: an earlier event of key {r.key!r} "
                                  f"(outbox id {first or r.held_by}) failed")
                continue
            try:
                acks.append((r, await self._producer.send(
                    r.topic, r.value, key=r.key.encode() if r.key else None,
                    headers=_headers(r.traceparent))))
            except Exception as exc:
                # raises when the error may pass: the round ends, the rows wait
                failures[r.id] = await refusal(self._producer, exc, r.topic)
                if r.key is not None:
                    failed_key[r.key] = r.id
        results = await asyncio.gather(*(f for _, f in acks), return_exceptions=True)
        transient: BaseException | None = None
        for (r, _), result in zip(acks, results, strict=True):
            if isinstance(result, BaseException):
                try:
                    failures[r.id] = await refusal(self._producer, result, r.topic)
                except BaseException as exc:
                    transient = exc
        await self._set_aside(conn, rows, failures)
        if transient is not None:  # nothing marked published: all of it goes again
            raise transient
        published = [r.id for r, _ in acks if r.id not in failures]
        await self._mark_published(conn, published)
        self.published += len(published)
        return len(rows)

    async def _set_aside(self, conn: AsyncConnection, rows: Sequence[Any],
                         failures: dict[int, str]) -> None:
        if not failures:
            return
        await conn.execute(_MARK_FAILED, {"ids": list(failures),
                                          "reasons": list(failures.values())})
        self.failed += len(failures)
        for r in rows:
            if r.id in failures:
                log.error("ALERT outbox row set aside: it will not be sent until re-queued",
                          extra={"outbox_id": r.id, "topic": r.topic, "key": r.key,
                                 "reason": failures[r.id]})

    async def _mark_published(self, conn: AsyncConnection, ids: Sequence[int]) -> None:
        if ids:
            await conn.execute(_MARK_PUBLISHED, {"ids": list(ids)})

    async def maintain(self, conn: AsyncConnection | None = None) -> tuple[int, int]:
        """Purge published outbox rows and inbox entries past their retention."""
        if conn is None:
            async with self._engine.connect() as own:
                await own.execution_options(isolation_level="AUTOCOMMIT")
                return await self.maintain(own)
        outbox_rows = await self.purge(conn)
        inbox_rows = await inbox.purge(conn, self._inbox_retention)
        if outbox_rows or inbox_rows:
            log.info("purged messaging tables", extra={"outbox": outbox_rows, "inbox": inbox_rows})
        return outbox_rows, inbox_rows

    async def purge(self, conn: AsyncConnection | None = None) -> int:
        cutoff = datetime.now(UTC) - self._retention
        statement = text("delete from outbox where published_at < :cutoff")
        if conn is None:
            async with self._engine.begin() as own:
                return (await own.execute(statement, {"cutoff": cutoff})).rowcount or 0
        return (await conn.execute(statement, {"cutoff": cutoff})).rowcount or 0

    async def pending(self) -> int:
        """Rows waiting to be sent (rows set aside as failed not counted)."""
        return await self._count("published_at is null and failed_at is null")

    async def failed_rows(self) -> int:
        """Rows set aside as failed, waiting for an operator."""
        return await self._count("failed_at is not null")

    async def _count(self, where: str) -> int:
        async with self._engine.connect() as conn:
            return int(await conn.scalar(text(f"select count(*) from outbox where {where}")) or 0)
