"""Injected faults, the request log and rate limiting: what makes a client prove itself."""

from __future__ import annotations

import datetime as dt
import math
import time
from collections import deque
from typing import Any, Literal

from pydantic import BaseModel, Field

FaultKind = Literal["http_500", "http_504", "timeout", "rate_limit", "malformed_row"]
TRANSPORT_FAULTS = ("http_500", "http_504", "timeout", "rate_limit")
WINDOW_S = 10.0
LOG_LIMIT = 100_000  # a long demo must not grow the log without bound


class Fault(BaseModel):
    kind: FaultKind
    times: int = Field(1, ge=1)
    path_contains: str | None = None
    seconds: float = Field(30, gt=0, le=600, description="timeout: how long the answer takes")
    # malformed_row: the field to corrupt and its new value; without "value" the field goes
    row: dict[str, Any] = Field(default_factory=lambda: {"field": "revenue", "value": "abc"})


class FaultBook:
    def __init__(self) -> None:
        self.pending: list[Fault] = []

    def take(self, target: str, kinds: tuple[str, ...]) -> Fault | None:
        """The first pending fault of these kinds matching the request; it counts as used."""
        for fault in self.pending:
            if fault.kind in kinds and (fault.path_contains is None
                                        or fault.path_contains in target):
                fault.times -= 1
                if fault.times <= 0:
                    self.pending.remove(fault)
                return fault
        return None


class RequestLog:
    def __init__(self) -> None:
        self.entries: deque[dict[str, Any]] = deque(maxlen=LOG_LIMIT)
        self.seq = 0

    def record(self, method: str, path: str, query: str, status: int, outcome: str) -> None:
        self.seq += 1
        self.entries.append({"seq": self.seq, "at": dt.datetime.now(dt.UTC).isoformat(),
                             "method": method, "path": path, "query": query, "status": status,
                             "outcome": outcome})

    def since(self, seq: int) -> list[dict[str, Any]]:
        return [e for e in self.entries if e["seq"] > seq]


class RateLimiter:
    """Sliding 10 s window per caller; refused calls count too, as on the real APIs."""

    def __init__(self) -> None:
        self.calls: dict[str, deque[float]] = {}

    def hit(self, caller: str, limit: int) -> tuple[int, int]:
        """Count a call: (usage when over the limit else 0, seconds until a slot frees)."""
        if limit <= 0:
            return 0, 0
        now = time.monotonic()
        window = self.calls.setdefault(caller, deque())
        while window and window[0] <= now - WINDOW_S:
            window.popleft()
        window.append(now)
        usage = len(window)
        if usage <= limit:
            return 0, 0
        return usage, max(1, math.ceil(window[usage - limit] + WINDOW_S - now))
