"""Bad input loses nothing: a message that cannot be applied is kept with its reason.

:func:`decode_each` is the one decode-or-reject step of every consumer: each message is
decoded on its own, and any exception makes it a :class:`Rejection` naming the reason,
so one bad message never stops the rest. :func:`keep_rejected` stores rejections in the
service's ``rejected_messages`` (one shape for every service, ``tables.py``); a message
redelivered at the same position is kept once. :func:`send_dead_letters` puts them on
their topic's dead-letter topic, ``<topic>.dlq``.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from aiokafka.errors import KafkaConnectionError

from affbill_contracts.topics import dead_letters
from affbill_runtime.db import UnitOfWork

REASON_LIMIT = 2000
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class Record(Protocol):
    """A Kafka record as consumers see it (aiokafka's ConsumerRecord has these fields)."""

    topic: str
    partition: int
    offset: int
    value: bytes | None


@dataclass(frozen=True, slots=True)
class Rejection:
    """A message that will not be applied, where it was and why."""

    topic: str
    partition: int | None
    offset: int | None
    raw: bytes
    reason: str
    key: bytes | None = None

    @classmethod
    def of(cls, record: Any, reason: str) -> Rejection:
        return cls(record.topic, record.partition, record.offset, record.value or b"",
                   clean_reason(reason), getattr(record, "key", None))


def clean_reason(reason: str) -> str:
    """A reason that fits a text column and a log line: controls shown escaped, bounded."""
    text = _UNPRINTABLE.sub(lambda m: f"\\x{ord(m.group()):02x}", reason)
    return text if len(text) <= REASON_LIMIT else text[:REASON_LIMIT - 1] + "…"


R = TypeVar("R", bound=Record)
T = TypeVar("T")


def decode_each(records: Sequence[R], decode: Callable[[bytes], T]
                ) -> tuple[list[tuple[R, T]], list[Rejection]]:
    """Decode every record on its own: ([(record, decoded)], [rejections]). Any exception
    (not only ValueError: a JSON array, a wrong type, deep nesting) is a rejection."""
    decoded: list[tuple[R, T]] = []
    rejected: list[Rejection] = []
    for record in records:
        try:
            decoded.append((record, decode(record.value or b"")))
        except Exception as exc:
            rejected.append(Rejection.of(record, f"{type(exc).__name__}: {exc}"))
    return decoded, rejected


KEEP = """
insert into rejected_messages (topic, partition, "offset", reason, raw)
select * from unnest($1::text[], $2::int[], $3::bigint[], $4::text[], $5::bytea[])
on conflict on constraint rejected_messages_position do nothing
"""


async def keep_rejected(conn: Any, rejections: Sequence[Rejection]) -> None:
    """Store rejections with the raw asyncpg connection ``conn``, in its transaction."""
    if rejections:
        await conn.execute(KEEP, [r.topic for r in rejections], [r.partition for r in rejections],
                           [r.offset for r in rejections], [r.reason for r in rejections],
                           [r.raw for r in rejections])


async def keep(new_uow: Callable[[], UnitOfWork], rejections: Sequence[Rejection]) -> None:
    """Store rejections in a transaction of their own."""
    if not rejections:
        return
    async with new_uow() as uow:
        await keep_rejected(await uow.driver_connection(), rejections)
        await uow.commit()


async def send_dead_letters(runtime: Any, group: str, rejections: Sequence[Rejection]) -> None:
    """The raw messages to their topics' DLQ, where and why in the headers."""
    producer = runtime.producer
    if producer is None:
        raise KafkaConnectionError("the producer is not started")
    acks = [await producer.send(dead_letters(r.topic), r.raw, key=r.key, headers=[
        ("affbill-dlq-topic", r.topic.encode()),
        ("affbill-dlq-partition", str(r.partition).encode()),
        ("affbill-dlq-offset", str(r.offset).encode()),
        ("affbill-dlq-consumer", group.encode()),
        ("affbill-dlq-reason", r.reason[:1000].encode())]) for r in rejections]
    await asyncio.gather(*acks)
