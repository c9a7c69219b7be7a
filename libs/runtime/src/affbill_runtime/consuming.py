"""Consuming so that no message stops a consumer: every subscriber of every service.

A :class:`Consumer` applies a batch of Kafka records with the service's ``apply``. When
that raises, the failing message is isolated (the batch is split by partition, then in
halves) so the good messages of the batch are applied. A single message that still
fails is retried a bounded number of times with backoff (``RetryPolicy``), then sent to
the dead-letter topic ``<topic>.dlq`` and kept in ``rejected_messages`` with the reason,
and the batch's offsets are committed. Only failures of the infrastructure (a lost
database connection, a deadlock) are retried without bound: the message is not at
fault. While retrying, the consumer reports itself stuck (consumers.py: readiness), and
it logs at most one line per interval.

``apply(records, dead_letter)`` applies what it can; the messages it refuses itself
(``decode_each``) it passes to ``dead_letter`` (the DLQ) and keeps in rejected_messages,
in the transaction of its effect where it has one. Dead letters are sent before the
offsets are committed: at least once.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError
from faststream import AckPolicy
from faststream.kafka import KafkaRouter
from sqlalchemy import exc as sa_exc

from affbill_runtime import rejected, tracing
from affbill_runtime.consumers import ConsumerState, Retrying, Throttle
from affbill_runtime.messaging import raw_records
from affbill_runtime.rejected import Record, Rejection

log = logging.getLogger("affbill.consumer")

DeadLetter = Callable[[Sequence[Rejection]], Awaitable[None]]
Apply = Callable[[list[Any], DeadLetter], Awaitable[None]]
Keep = Callable[[Sequence[Rejection]], Awaitable[None]]
Send = Callable[[Sequence[Rejection]], Awaitable[None]]

# SQLSTATE classes the message is not to blame for: connection, transaction rollback
# (deadlock, serialization), insufficient resources, shutdown, system error
_TRANSIENT_STATES = ("08", "40", "53", "57P", "58")


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5  # tries of one message before it is dead-lettered (≥ 1)
    backoff_s: float = 0.5  # first wait; doubles per attempt
    backoff_max_s: float = 30.0
    log_interval_s: float = 10.0

    @classmethod
    def of(cls, settings: Any) -> RetryPolicy:
        return cls(max(1, settings.consumer_retry_attempts), settings.consumer_retry_backoff_s,
                   settings.consumer_retry_backoff_max_s, settings.consumer_log_interval_s)

    def delay(self, attempt: int) -> float:
        return min(self.backoff_max_s, self.backoff_s * 2 ** max(0, attempt - 1))


def is_transient(exc: BaseException | None) -> bool:
    """A failure of the infrastructure rather than of the message."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, ConnectionError | KafkaConnectionError | KafkaTimeoutError
                      | sa_exc.TimeoutError | asyncpg.InterfaceError
                      | asyncpg.PostgresConnectionError):
            return True
        if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
            return True
        state = getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)
        if isinstance(state, str) and state.startswith(_TRANSIENT_STATES):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _split(records: list[Any]) -> list[list[Any]]:
    """By partition when the batch spans several (order kept in each), else in halves."""
    parts: dict[int, list[Any]] = {}
    for r in records:
        parts.setdefault(r.partition, []).append(r)
    if len(parts) > 1:
        return list(parts.values())
    middle = len(records) // 2
    return [records[:middle], records[middle:]]


def _error(exc: BaseException) -> str:
    return rejected.clean_reason(f"{type(exc).__name__}: {exc}")[:500]


class Consumer:
    """Applies batches of one topic; no message can stop it (see the module's text)."""

    def __init__(self, state: ConsumerState, apply: Apply, keep: Keep, send: Send,
                 policy: RetryPolicy) -> None:
        self.state, self._apply, self._keep, self._send = state, apply, keep, send
        self.policy = policy
        self._throttle = Throttle(policy.log_interval_s)

    async def consume(self, records: Sequence[Any]) -> None:
        sent: set[tuple[Any, ...]] = set()

        async def dead_letter(rejections: Sequence[Rejection]) -> None:
            fresh = [r for r in rejections if (r.topic, r.partition, r.offset) not in sent]
            if fresh:
                try:
                    await self._without_bound(lambda: self._send(fresh))
                except Exception as exc:  # e.g. too large for the DLQ: rejected_messages has it
                    self._log("dead-letter topic refused", _error(exc), rejected=len(fresh))
                sent.update((r.topic, r.partition, r.offset) for r in fresh)
                self.state.dead_lettered += len(fresh)
                self._log("dead-lettered", fresh[-1].reason, rejected=len(fresh),
                          partition=fresh[-1].partition, offset=fresh[-1].offset)

        batch = list(records)
        if batch:
            with tracing.consuming(self.state.topic, self.state.group, batch):
                await self._settle(batch, dead_letter)
            for r in batch:
                self.state.positions[r.partition] = max(
                    r.offset + 1, self.state.positions.get(r.partition, 0))
            self.state.applied += len(batch)

    async def _settle(self, records: list[Any], dead_letter: DeadLetter) -> None:
        try:
            await self._without_bound(lambda: self._apply(records, dead_letter))
            return
        except Exception as exc:
            if len(records) == 1:
                await self._retry(records[0], dead_letter, exc)
                return
            self._log("batch failed; isolating the failing message", _error(exc),
                      size=len(records))
        for part in _split(records):
            await self._settle(part, dead_letter)

    async def _retry(self, record: Any, dead_letter: DeadLetter, failure: Exception) -> None:
        """One message: retried with backoff, then dead-lettered (DLQ + rejected_messages)."""
        since = time.monotonic()
        for attempt in range(1, self.policy.attempts):
            self.state.retrying = Retrying(record.topic, record.partition, record.offset,
                                           attempt, since, _error(failure))
            self._log("message failed; retrying", _error(failure), partition=record.partition,
                      offset=record.offset, attempt=attempt)
            await asyncio.sleep(self.policy.delay(attempt))
            try:
                await self._without_bound(lambda: self._apply([record], dead_letter))
                self.state.retrying = None
                return
            except Exception as exc:
                failure = exc
        rejection = Rejection.of(record, f"not applied after {self.policy.attempts} attempts: "
                                         f"{type(failure).__name__}: {failure}")
        await dead_letter([rejection])
        await self._without_bound(lambda: self._keep([rejection]))
        self.state.retrying = None

    async def _without_bound(self, work: Callable[[], Awaitable[None]]) -> None:
        """Run ``work``, retrying infrastructure failures until they pass."""
        attempt = 0
        while True:
            try:
                await work()
                if attempt:
                    self.state.retrying = None
                return
            except Exception as exc:
                if not is_transient(exc):
                    raise
                attempt += 1
                self.state.retrying = Retrying(self.state.topic, -1, -1, attempt,
                                               time.monotonic(), _error(exc))
                self._log("infrastructure failed; retrying", _error(exc), attempt=attempt)
                await asyncio.sleep(self.policy.delay(attempt))

    def _log(self, what: str, reason: str, **extra: Any) -> None:
        held = self._throttle.allow(what)
        if held is not None:
            log.error(what, extra={"topic": self.state.topic, "reason": reason,
                                   "held_back": held, **extra})


def decoding(decode: Callable[[bytes], Any], effect: Callable[[list[Any]], Awaitable[None]],
             keep: Keep) -> Apply:
    """The usual apply: decode each record (a failure is a rejection: to the DLQ and kept),
    then the effect on the decoded values, in order."""

    async def values(decoded: list[tuple[Any, Any]]) -> None:
        await effect([value for _, value in decoded])

    return decoding_records(decode, values, keep)


def decoding_records(decode: Callable[[bytes], Any],
                     effect: Callable[[list[tuple[Any, Any]]], Awaitable[None]],
                     keep: Keep) -> Apply:
    """As :func:`decoding`, the effect getting (record, decoded value) pairs: for what a
    record's headers say (the jobs service keeps each event's trace id)."""

    async def apply(records: list[Any], dead_letter: DeadLetter) -> None:
        decoded, refused = rejected.decode_each(records, decode)
        if refused:
            await dead_letter(refused)
            await keep(refused)
        if decoded:
            await effect(decoded)

    return apply


def subscribe(router: KafkaRouter, runtime: Any, topic: str, group: str, apply: Apply, *,
              keep: Keep | None = None, max_records: int = 500, description: str = "",
              **options: Any) -> Consumer:
    """A batch subscriber of ``topic`` that consumes through a :class:`Consumer`
    registered on the runtime's board (readiness, metrics)."""
    consumer = Consumer(runtime.consumers.register(topic, group), apply,
                        keep or functools.partial(rejected.keep, runtime.uow),
                        functools.partial(rejected.send_dead_letters, runtime, group),
                        RetryPolicy.of(runtime.settings))
    options = {"batch_timeout_ms": 200, "auto_offset_reset": "earliest",
               "isolation_level": "read_committed", **options}
    subscriber = router.subscriber(topic, group_id=group, batch=True, max_records=max_records,
                                   decoder=raw_records, ack_policy=AckPolicy.NACK_ON_ERROR,
                                   title=f"{topic}:subscribe", description=description,
                                   **options)

    async def on_messages(records: list[Any]) -> None:
        await consumer.consume(records)

    subscriber(on_messages)
    consumer.state.highwater = functools.partial(_highwater, subscriber)
    return consumer


def _highwater(subscriber: Any) -> dict[int, int]:
    client = getattr(subscriber, "consumer", None)
    if client is None:
        return {}
    return {tp.partition: end for tp in client.assignment()
            if (end := client.highwater(tp)) is not None}


__all__ = ["Apply", "Consumer", "DeadLetter", "Record", "RetryPolicy", "decoding",
           "decoding_records", "is_transient", "subscribe"]
