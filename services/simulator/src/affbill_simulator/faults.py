"""Injected faults, the request log and rate limiting: the simulator's honesty tests."""

from __future__ import annotations

import datetime as dt
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field

FaultKind = Literal["http_500", "http_504", "timeout", "rate_limit", "malformed_row"]


class Fault(BaseModel):
    kind: FaultKind
    times: int = Field(1, ge=1)
    path_contains: str | None = None
    seconds: float = Field(30, gt=0, le=300)
    row: dict[str, Any] | None = None  # malformed_row: {"field": "revenue", "value": "abc"}


@dataclass
class Faults:
    pending: list[Fault] = field(default_factory=list)
    log: list[dict[str, Any]] = field(default_factory=list)
    seq: int = 0
    calls: dict[str, deque[float]] = field(default_factory=dict)

    def take(self, target: str, kinds: tuple[str, ...] | None = None) -> Fault | None:
        for fault in self.pending:
            if (fault.path_contains is None or fault.path_contains in target) and (
                    kinds is None or fault.kind in kinds):
                fault.times -= 1
                if fault.times <= 0:
                    self.pending.remove(fault)
                return fault
        return None

    def over_limit(self, who: str, limit: int) -> int:
        """Counts this call; returns the usage when it is over the limit, else 0."""
        if limit <= 0:
            return 0
        now = time.monotonic()
        window = self.calls.setdefault(who, deque())
        while window and window[0] < now - 10:
            window.popleft()
        window.append(now)
        return len(window) if len(window) > limit else 0

    def record(self, method: str, path: str, query: str, status: int, outcome: str) -> None:
        self.seq += 1
        self.log.append({"seq": self.seq, "at": dt.datetime.now(dt.UTC).isoformat(),
                         "method": method, "path": path, "query": query, "status": status,
                         "outcome": outcome})
