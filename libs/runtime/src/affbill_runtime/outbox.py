"""Transactional outbox: events are rows written with the state change they belong to.

:class:`Outbox` stages envelopes on a session; the unit of work inserts them right
before it commits. :class:`OutboxRelay` (relay.py) sends them to Kafka afterwards. A row
keeps the ``traceparent`` of the span that wrote it (tracing on), which the relay sends
as a Kafka header: the consumer continues the trace of the change.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from affbill_contracts.codec import encode
from affbill_contracts.envelope import Envelope
from affbill_runtime.tables import OUTBOX
from affbill_runtime.tracing import traceparent


class Outbox:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._rows: list[dict[str, Any]] = []
        self.added = 0
        session.sync_session.info["outbox"] = self

    def add(self, topic: str, key: str | None, envelope: Envelope[Any]) -> None:
        self._rows.append({"event_id": envelope.event_id, "topic": topic, "key": key,
                           "value": encode(envelope), "traceparent": traceparent()})
        self.added += 1

    async def flush(self) -> None:
        """Write the staged rows; called by the unit of work inside its transaction."""
        if self._rows:
            rows, self._rows = self._rows, []
            await self._session.execute(insert(OUTBOX), rows)
