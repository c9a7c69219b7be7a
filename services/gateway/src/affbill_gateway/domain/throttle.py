"""Bounded memory for guessers: an expiring LRU set and token buckets per client address.

Both hold at most a fixed number of entries, so a flood of distinct keys or addresses
costs the gateway a bounded amount of memory; the least recently used go first.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

Clock = Callable[[], float]


class ExpiringLru:
    """A set whose members are forgotten `ttl_s` after they were added, at most `size`."""

    def __init__(self, size: int, ttl_s: float, clock: Clock = time.monotonic) -> None:
        self.size, self.ttl_s, self.clock = size, ttl_s, clock
        self._until: OrderedDict[Hashable, float] = OrderedDict()

    def __contains__(self, member: Hashable) -> bool:
        until = self._until.get(member)
        if until is None:
            return False
        if until <= self.clock():
            del self._until[member]
            return False
        return True

    def __len__(self) -> int:
        return len(self._until)

    def add(self, member: Hashable) -> None:
        if self.ttl_s <= 0:
            return
        self._until[member] = self.clock() + self.ttl_s
        self._until.move_to_end(member)
        while len(self._until) > self.size:
            self._until.popitem(last=False)

    def discard(self, member: Hashable) -> None:
        self._until.pop(member, None)

    def clear(self) -> None:
        self._until.clear()


class TokenBuckets:
    """Per client: `burst` tokens, refilled at `rate_per_s`; each failure takes one."""

    def __init__(self, rate_per_s: float, burst: float, clients: int = 10_000,
                 clock: Clock = time.monotonic) -> None:
        self.rate_per_s, self.burst, self.clients, self.clock = rate_per_s, burst, clients, clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # tokens, when

    def _tokens(self, client: str) -> float:
        tokens, when = self._buckets.get(client, (self.burst, self.clock()))
        return min(self.burst, tokens + (self.clock() - when) * self.rate_per_s)

    def wait_s(self, client: str) -> float:
        """Seconds until `client` has a token again (0: it has one now, or no limit)."""
        if self.rate_per_s <= 0:
            return 0.0
        tokens = self._tokens(client)
        return 0.0 if tokens >= 1 else (1 - tokens) / self.rate_per_s

    def take(self, client: str) -> None:
        self._buckets[client] = (max(self._tokens(client) - 1, 0.0), self.clock())
        self._buckets.move_to_end(client)
        while len(self._buckets) > self.clients:
            self._buckets.popitem(last=False)
