"""Period close on data completeness: is a billing period ready to bill? Pure.

A period is *ready* when, for every connector, a standard or partial sync that read the
period's days (its window covers the period) and started at or after the period's end
plus the settle time has succeeded. Restatements the adtracker makes in the days after a
period are then in; a sync that started earlier, or read other days, says nothing about it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from affbill_billing.domain.periods import BillingPeriod


@dataclass(frozen=True)
class SyncOutcome:
    """A sync that succeeded, as billing learnt it (adtracker.syncs)."""

    connector: str
    scope: str
    date_from: dt.date
    date_to: dt.date
    started_at: dt.datetime


@dataclass(frozen=True)
class ConnectorReadiness:
    connector: str
    synced_at: dt.datetime | None  # start of the first sync that makes it ready, if any


@dataclass(frozen=True)
class Readiness:
    period: BillingPeriod
    ready_after: dt.datetime  # a sync must start at or after this instant
    connectors: tuple[ConnectorReadiness, ...]

    @property
    def ready(self) -> bool:
        return bool(self.connectors) and all(c.synced_at for c in self.connectors)

    def waiting_for(self) -> list[str]:
        return [c.connector for c in self.connectors if c.synced_at is None]

    def describe(self) -> str:
        """One line for the job log and the API."""
        if self.ready:
            return f"Period {self.period} is ready"
        if not self.connectors:
            return f"Period {self.period} is not ready: no adtracker sync has been seen yet"
        return (f"Period {self.period} is not ready: no successful sync of "
                f"{', '.join(self.waiting_for())} that read its days and started after "
                f"{self.ready_after:%Y-%m-%d %H:%M} UTC")


def settled_after(period: BillingPeriod, zone: ZoneInfo, settle: dt.timedelta) -> dt.datetime:
    """The instant after which a sync counts for the period: its end plus the settle time."""
    return period.ends_at(zone) + settle


def counts_for(outcome: SyncOutcome, period: BillingPeriod, after: dt.datetime) -> bool:
    return (outcome.started_at >= after and outcome.date_from <= period.start
            and outcome.date_to >= period.end)


def readiness(period: BillingPeriod, zone: ZoneInfo, settle: dt.timedelta,
              connectors: Iterable[str], outcomes: Iterable[SyncOutcome]) -> Readiness:
    """Whether the period is ready, connector by connector."""
    after = settled_after(period, zone, settle)
    first: dict[str, dt.datetime] = {}
    for o in outcomes:
        if counts_for(o, period, after) and (o.connector not in first
                                             or o.started_at < first[o.connector]):
            first[o.connector] = o.started_at
    return Readiness(period, after, tuple(ConnectorReadiness(c, first.get(c))
                                          for c in sorted(set(connectors))))
