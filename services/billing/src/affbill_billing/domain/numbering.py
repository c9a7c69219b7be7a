"""Number series: prefix + counter + suffix, gapless; the counter is kept by the caller
in a row locked by the issuing transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class NumberSeries:
    prefix: str = "INV-{yyyy}-"
    suffix: str = ""
    padding: int = 5
    start: int = 1
    cancellation_suffix: str = "-S"

    def next_counter(self, last: int | None) -> int:
        return self.start if last is None else max(last + 1, self.start)

    def format(self, counter: int, issue_date: dt.date, cancellation: bool = False) -> str:
        prefix = self.prefix.replace("{yyyy}", f"{issue_date.year:04d}")
        suffix = self.suffix + (self.cancellation_suffix if cancellation else "")
        return f"{prefix}{counter:0{self.padding}d}{suffix}"
