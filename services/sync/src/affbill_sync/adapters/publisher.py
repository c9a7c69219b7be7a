"""Publishing adtracker facts: one Kafka transaction per sync step, idempotent producer.

Facts go straight to Kafka rather than through the outbox: the adtracker is the
source of truth and the cursors are only advanced after the transaction
committed, so a crash re-reads and re-publishes (with the same deterministic
event ids). Consumers read with isolation_level=read_committed and never see
the facts of an aborted step.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiokafka import AIOKafkaProducer

HEADERS = [("content-type", b"application/json")]
ACK_EVERY = 20_000


class FactPublisher:
    def __init__(self, bootstrap_servers: str, transactional_id: str) -> None:
        self._producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap_servers,
            client_id=transactional_id,
            transactional_id=transactional_id,
            enable_idempotence=True,
            acks="all",
            linger_ms=20,
            max_batch_size=1024 * 1024,
            max_request_size=8 * 1024 * 1024,
            transaction_timeout_ms=900_000,
        )
        self._pending: list[asyncio.Future[Any]] = []
        self.sent = 0

    async def start(self) -> None:
        await self._producer.start()

    async def stop(self) -> None:
        await self._producer.stop()

    async def begin(self) -> None:
        self._pending = []
        await self._producer.begin_transaction()

    async def send(self, topic: str, key: str, value: bytes) -> None:
        self._pending.append(await self._producer.send(topic, value, key=key.encode(),
                                                       headers=HEADERS))
        self.sent += 1
        if len(self._pending) >= ACK_EVERY:  # surface broker errors early, bound memory
            await self._drain()

    async def _drain(self) -> None:
        pending, self._pending = self._pending, []
        await asyncio.gather(*pending)

    async def commit(self) -> None:
        await self._drain()
        await self._producer.commit_transaction()

    async def abort(self) -> None:
        for fut in self._pending:
            fut.cancel()
        self._pending = []
        try:
            await self._producer.abort_transaction()
        except Exception:  # noqa: BLE001 - nothing left to undo if the transaction is gone
            pass
