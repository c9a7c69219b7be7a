"""Inbox de-duplication: a consumer records each processed event_id in the same
transaction as its effect, so a redelivered event is recognised and skipped."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.ext.asyncio import AsyncSession

_CLAIM = text(
    "insert into inbox (consumer, event_id) select :consumer, unnest(:ids) "
    "on conflict do nothing returning event_id"
).bindparams(bindparam("ids", type_=ARRAY(UUID(as_uuid=True))))


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
