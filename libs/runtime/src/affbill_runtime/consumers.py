"""What every consumer of a process is doing: for readiness and for metrics.

A :class:`ConsumerBoard` per runtime holds one :class:`ConsumerState` per subscribed
topic: whether it is retrying a message (and since when), how far it got per partition,
how many messages it applied and dead-lettered, and its lag when the Kafka client knows
the partitions' ends. Readiness reports a consumer that is retrying as not ready.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Retrying:
    """The message a consumer is stuck on."""

    topic: str
    partition: int  # -1: no message is at fault (the infrastructure failed)
    offset: int
    attempt: int
    since: float  # time.monotonic() of the first failure
    error: str


@dataclass
class ConsumerState:
    topic: str
    group: str
    retrying: Retrying | None = None
    applied: int = 0
    dead_lettered: int = 0
    positions: dict[int, int] = field(default_factory=dict)  # partition → next offset
    highwater: Callable[[], dict[int, int]] | None = None  # partition → end, when known

    def lag(self) -> dict[int, int]:
        """Messages behind the partitions' ends (empty while the client knows no ends)."""
        try:
            ends = self.highwater() if self.highwater else {}
        except Exception:
            return {}
        return {p: max(0, end - self.positions.get(p, end)) for p, end in ends.items()}

    def problem(self) -> str | None:
        r = self.retrying
        if r is None:
            return None
        where = (f"stuck on partition {r.partition} offset {r.offset}" if r.partition >= 0
                 else "waiting for the database or broker")
        return (f"{self.topic}: {where} for {time.monotonic() - r.since:.0f} s, "
                f"attempt {r.attempt}: {r.error[:200]}")

    def snapshot(self) -> dict[str, Any]:
        return {"topic": self.topic, "group": self.group, "stuck": self.retrying is not None,
                "retrying": None if self.retrying is None else vars(self.retrying),
                "applied": self.applied, "dead_lettered": self.dead_lettered,
                "positions": dict(self.positions), "lag": self.lag()}


class ConsumerBoard:
    """The consumers of one runtime, by topic."""

    def __init__(self) -> None:
        self.consumers: dict[str, ConsumerState] = {}

    def register(self, topic: str, group: str) -> ConsumerState:
        state = self.consumers[topic] = ConsumerState(topic, group)
        return state

    def problems(self) -> list[str]:
        return [p for s in self.consumers.values() if (p := s.problem())]

    def snapshot(self) -> list[dict[str, Any]]:
        return [s.snapshot() for s in self.consumers.values()]


class Throttle:
    """At most one log line per key and interval; the next line says how many were held
    back, so logs stay bounded however long a consumer retries."""

    def __init__(self, interval_s: float) -> None:
        self.interval_s = interval_s
        self._last: dict[str, float] = {}
        self._held: dict[str, int] = {}

    def allow(self, key: str) -> int | None:
        """None: stay silent; else the number of lines held back since the last one."""
        now = time.monotonic()
        last = self._last.get(key)
        if last is not None and now - last < self.interval_s:
            self._held[key] = self._held.get(key, 0) + 1
            return None
        self._last[key] = now
        return self._held.pop(key, 0)
