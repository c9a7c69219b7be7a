"""A row the adtracker sent that cannot be trusted: kept with its reason, never dropped."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Rejected:
    entity: str  # employee | advertiser | affiliate | stat | conversion
    raw: dict[str, Any]
    reason: str
    natural_key: str | None = None

    def describe(self) -> str:
        where = f" {self.natural_key}" if self.natural_key else ""
        return f"Quarantined {self.entity}{where}: {self.reason}"
