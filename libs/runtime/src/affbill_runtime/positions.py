"""Consumer positions: exactly-once effects for high-volume fact streams.

The inbox keeps one row per processed event, which costs more than the effect
itself when millions of small facts pass. A consumer whose effect is a natural-key
upsert can instead record, in the effect's transaction, the last Kafka offset it
applied per partition, and skip anything at or below it: a redelivered batch, a
replay from the start or a second consumer group changes nothing, at the cost of
one row per partition. (The position belongs to the consumer name, not to the Kafka
group. A topic deleted and created anew would start below the stored offsets: clear
the consumer's rows when doing that.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, TypeVar


class Delivered(Protocol):
    topic: str
    partition: int
    offset: int


M = TypeVar("M", bound=Delivered)

_SEED = """
insert into consumer_positions (consumer, topic, partition, "offset")
select $1, t, p, -1 from unnest($2::text[], $3::int[]) as x(t, p)
on conflict do nothing
"""
_LOCK = """
select c.topic, c.partition, c."offset" from consumer_positions c
join unnest($2::text[], $3::int[]) as x(t, p) on (c.topic, c.partition) = (x.t, x.p)
where c.consumer = $1
order by c.topic, c.partition
for update of c
"""
_ADVANCE = """
update consumer_positions c set "offset" = x.o, updated_at = now()
from unnest($2::text[], $3::int[], $4::bigint[]) as x(t, p, o)
where c.consumer = $1 and (c.topic, c.partition) = (x.t, x.p) and x.o > c."offset"
"""


async def claim_positions(conn: Any, consumer: str, messages: Sequence[M]) -> list[M]:
    """Lock this consumer's positions on the messages' partitions, move them past the
    messages, and return the messages not applied before (in their order).

    ``conn`` is a raw asyncpg connection inside the transaction of the effect; if that
    transaction rolls back, the positions stay where they were.
    """
    if not messages:
        return []
    parts = sorted({(m.topic, m.partition) for m in messages})
    topics, partitions = [t for t, _ in parts], [p for _, p in parts]
    await conn.execute(_SEED, consumer, topics, partitions)
    applied = {(t, p): o for t, p, o in await conn.fetch(_LOCK, consumer, topics, partitions)}
    fresh = [m for m in messages if m.offset > applied[(m.topic, m.partition)]]
    last: dict[tuple[str, int], int] = {}
    for m in fresh:
        last[(m.topic, m.partition)] = max(m.offset, last.get((m.topic, m.partition), -1))
    if last:
        await conn.execute(_ADVANCE, consumer, [t for t, _ in last], [p for _, p in last],
                           list(last.values()))
    return fresh
