"""Inbox de-duplication: a consumer records each processed event_id in the same
transaction as its effect, so a redelivered event is recognised and skipped —
as long as it comes again within the inbox's retention (:func:`purge`)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

_CLAIM = text(
    "insert into inbox (consumer, event_id) select :consumer, unnest(:ids) "
    "on conflict do nothing returning event_id"
).bindparams(bindparam("ids", type_=ARRAY(UUID(as_uuid=True))))

# In slices, each its own short statement: a purge never holds a long transaction.
_PURGE = text(
    "delete from inbox where ctid = any(array("
    "select ctid from inbox where processed_at < now() - make_interval(secs => :age) "
    "limit :chunk))")


async def claim(session: AsyncSession, consumer: str, event_ids: Iterable[uuid.UUID]
                ) -> set[uuid.UUID]:
    """Record event ids as processed by ``consumer``; returns those that were new.

    Call it inside the transaction that applies the events' effects and apply only
    the returned ones: if the transaction rolls back, the claim goes with it. A
    concurrent claim of the same id waits for the other transaction and then
    finds it already processed.
    """
    ids = list(dict.fromkeys(event_ids))
    if not ids:
        return set()
    result = await session.execute(_CLAIM, {"consumer": consumer, "ids": ids})
    return {row[0] for row in result}


async def purge(conn: AsyncConnection, retention: timedelta, chunk: int = 10_000) -> int:
    """Forget events processed longer ago than ``retention``; returns how many.

    ``conn`` must be in autocommit (each slice commits on its own). The retention
    must outlast every way an event can come again: Kafka's topic retention (a
    replay from the start), a relay re-sending after a crash, a consumer group reset.
    """
    removed = 0
    while True:
        result = await conn.execute(_PURGE, {"age": retention.total_seconds(), "chunk": chunk})
        removed += result.rowcount or 0
        if (result.rowcount or 0) < chunk:
            return removed
