"""The runtime's consumer with fakes: a failing message is isolated, retried, dead-lettered;
the rest of the batch is applied; the consumer reports itself stuck while it retries."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, NamedTuple

import asyncpg

from affbill_runtime.consumers import ConsumerState, Throttle
from affbill_runtime.consuming import Consumer, RetryPolicy, decoding, is_transient
from affbill_runtime.rejected import Rejection, clean_reason, decode_each


class Rec(NamedTuple):
    topic: str
    partition: int
    offset: int
    value: bytes | None
    key: bytes | None = None


class World:
    def __init__(self, poison: set[bytes], fail_times: int = 10**9) -> None:
        self.poison, self.fail_times = poison, fail_times
        self.applied: list[bytes] = []
        self.dlq: list[Rejection] = []
        self.kept: list[Rejection] = []
        self.calls = 0
        self.stuck_seen: list[str | None] = []
        self.state = ConsumerState("t", "g")

    async def apply(self, records: list[Any], dead_letter: Any) -> None:
        self.calls += 1
        if any(r.value in self.poison for r in records) and self.fail_times > 0:
            self.fail_times -= 1
            self.stuck_seen.append(self.state.problem())
            raise RuntimeError("apply failed")
        self.applied += [r.value for r in records]

    async def keep(self, rejections: Sequence[Rejection]) -> None:
        self.kept += rejections

    async def send(self, rejections: Sequence[Rejection]) -> None:
        self.dlq += rejections

    def consumer(self, attempts: int = 3) -> Consumer:
        return Consumer(self.state, self.apply, self.keep, self.send,
                        RetryPolicy(attempts=attempts, backoff_s=0.001, backoff_max_s=0.002))


def batch(*values: tuple[int, bytes]) -> list[Rec]:
    return [Rec("t", p, i, v) for i, (p, v) in enumerate(values)]


async def test_the_poison_message_is_dead_lettered_and_the_rest_applied_in_order() -> None:
    world = World({b"bad"})
    records = batch((0, b"a"), (1, b"b"), (0, b"bad"), (0, b"c"), (1, b"d"), (2, b"e"))
    await world.consumer().consume(records)
    assert world.applied.index(b"a") < world.applied.index(b"c")  # order within partition 0
    assert sorted(world.applied) == [b"a", b"b", b"c", b"d", b"e"]
    assert [r.offset for r in world.dlq] == [2] and [r.offset for r in world.kept] == [2]
    assert "not applied after 3 attempts: RuntimeError: apply failed" in world.kept[0].reason
    assert world.state.retrying is None and world.state.dead_lettered == 1
    assert world.state.positions == {0: 4, 1: 5, 2: 6}
    # while it retried, it said so (what readiness reports)
    assert any(p and "stuck on partition 0 offset 2" in p for p in world.stuck_seen)


async def test_a_message_that_succeeds_on_a_retry_is_applied_not_dead_lettered() -> None:
    world = World({b"flaky"}, fail_times=2)  # the batch, then the first try alone
    await world.consumer(attempts=3).consume(batch((0, b"flaky")))
    assert world.applied == [b"flaky"] and world.dlq == [] and world.kept == []


async def test_infrastructure_failures_are_retried_without_dead_lettering() -> None:
    world = World(set())
    failures = iter([asyncpg.exceptions.ConnectionDoesNotExistError("gone")] * 5)

    async def apply(records: list[Any], dead_letter: Any) -> None:
        if (exc := next(failures, None)) is not None:
            raise exc
        world.applied += [r.value for r in records]

    consumer = Consumer(world.state, apply, world.keep, world.send,
                        RetryPolicy(attempts=1, backoff_s=0.001, backoff_max_s=0.002))
    await consumer.consume(batch((0, b"a"), (0, b"b")))
    assert world.applied == [b"a", b"b"] and world.dlq == []


async def test_decoding_rejects_each_bad_message_to_the_dlq_and_keeps_it() -> None:
    world = World(set())

    def decode(raw: bytes) -> bytes:
        if raw.startswith(b"["):
            raise AttributeError("'list' object has no attribute 'get'")  # not a ValueError
        return raw

    async def effect(values: list[bytes]) -> None:
        world.applied += values

    consumer = Consumer(world.state, decoding(decode, effect, world.keep), world.keep,
                        world.send, RetryPolicy(attempts=2, backoff_s=0.001))
    await consumer.consume(batch((0, b"a"), (0, b"[1]"), (0, b"b")))
    assert world.applied == [b"a", b"b"]
    assert [r.offset for r in world.dlq] == [1] == [r.offset for r in world.kept]
    assert "AttributeError" in world.kept[0].reason


def test_reasons_fit_a_text_column() -> None:
    reason = clean_reason("bad \x00 value " + "x" * 5000)
    assert "\x00" not in reason and "\\x00" in reason and len(reason) <= 2000
    _, bad = decode_each([Rec("t", 0, 1, None)], lambda raw: raw.decode() or 1 / 0)
    assert bad[0].raw == b"" and "ZeroDivisionError" in bad[0].reason


def test_transient_means_the_infrastructure_not_the_message() -> None:
    assert is_transient(ConnectionResetError())
    assert is_transient(asyncpg.exceptions.DeadlockDetectedError("deadlock"))
    assert not is_transient(asyncpg.exceptions.NumericValueOutOfRangeError("overflow"))
    assert not is_transient(ValueError("bad"))
    assert not is_transient(TimeoutError())


def test_the_throttle_keeps_logs_bounded() -> None:
    throttle = Throttle(interval_s=3600)
    assert throttle.allow("retry") == 0
    assert [throttle.allow("retry") for _ in range(1000)] == [None] * 1000
    assert throttle.allow("other") == 0


async def test_a_consumer_state_reports_lag_from_the_partitions_ends() -> None:
    state = ConsumerState("t", "g", positions={0: 5, 1: 9})
    state.highwater = lambda: {0: 8, 1: 9, 2: 4}
    assert state.lag() == {0: 3, 1: 0, 2: 0}
    assert state.snapshot()["stuck"] is False
    await asyncio.sleep(0)
