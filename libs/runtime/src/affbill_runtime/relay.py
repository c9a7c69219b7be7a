"""The outbox relay: sends committed outbox rows to Kafka, at least once, in order.

One relay per service schema publishes at a time (a Postgres advisory lock
elects it), reading rows in id order, so events with the same key keep the
order their transactions committed in. A row is marked published only after
Kafka acknowledged it; a crash in between re-sends it, and consumers
de-duplicate on event_id (inbox.py).
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from affbill_runtime.tables import OUTBOX

log = logging.getLogger("affbill.outbox")
HEADERS = [("content-type", b"application/json")]


class Producer(Protocol):
    async def send(self, topic: str, value: bytes, key: bytes | None = None,
                   headers: Any = None) -> asyncio.Future[Any]: ...


class OutboxRelay:
    def __init__(self, engine: AsyncEngine, producer: Producer, *, schema: str,
                 batch_size: int = 1000, poll_interval_s: float = 0.2,
                 retention: timedelta = timedelta(hours=72)) -> None:
        self._engine = engine
        self._producer = producer
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._retention = retention
        self._lock_id = zlib.crc32(f"affbill.outbox.{schema}".encode())
        self._wakeup = asyncio.Event()
        self.published = 0

    def wake(self) -> None:
        self._wakeup.set()

    async def run(self) -> None:
        """Publish forever; only the relay holding the schema's advisory lock works."""
        while True:
            try:
                async with self._engine.connect() as leader:
                    got = await leader.scalar(text("select pg_try_advisory_lock(:k)"),
                                              {"k": self._lock_id})
                    if not got:
                        await asyncio.sleep(2)
                        continue
                    await self._publish_loop()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay failed; retrying in 1 s")
                await asyncio.sleep(1)

    async def _publish_loop(self) -> None:
        rounds = 0
        while True:
            sent = await self.relay_once()
            rounds += 1
            if rounds % 3000 == 0:
                await self.purge()
            if sent < self._batch_size:
                try:
                    await asyncio.wait_for(self._wakeup.wait(), self._poll_interval_s)
                except TimeoutError:
                    pass
                self._wakeup.clear()

    async def relay_once(self) -> int:
        """Send one batch of unpublished rows; returns how many were sent."""
        async with self._engine.connect() as conn:
            rows = (await conn.execute(
                select(OUTBOX.c.id, OUTBOX.c.topic, OUTBOX.c.key, OUTBOX.c.value)
                .where(OUTBOX.c.published_at.is_(None))
                .order_by(OUTBOX.c.id)
                .limit(self._batch_size)
            )).all()
        if not rows:
            return 0
        acks = [
            await self._producer.send(r.topic, r.value, key=r.key.encode() if r.key else None,
                                      headers=HEADERS)
            for r in rows
        ]
        await asyncio.gather(*acks)
        await self._mark_published([r.id for r in rows])
        self.published += len(rows)
        return len(rows)

    async def _mark_published(self, ids: Sequence[int]) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(update(OUTBOX).where(OUTBOX.c.id.in_(ids))
                               .values(published_at=datetime.now(UTC)))

    async def purge(self) -> int:
        cutoff = datetime.now(UTC) - self._retention
        async with self._engine.begin() as conn:
            result = await conn.execute(delete(OUTBOX).where(OUTBOX.c.published_at < cutoff))
        return result.rowcount or 0

    async def pending(self) -> int:
        async with self._engine.connect() as conn:
            return int(await conn.scalar(
                select(text("count(*)")).select_from(OUTBOX).where(OUTBOX.c.published_at.is_(None))
            ) or 0)
