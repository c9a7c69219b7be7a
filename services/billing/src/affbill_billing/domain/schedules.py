"""Scheduled runs: which period a schedule bills, and when. Pure.

A schedule bills the customers of one billing frequency (narrowed by kind, currency or
account manager) for each period of that frequency, a generation delay after the period
is over: "monthly, 2 days after" runs on the 3rd for the previous month. Only the latest
due period is ever started: a run bills the open items of earlier periods with it, so a
period missed while nobody led (or the schedule was paused) is billed, not lost.
Every run of a schedule has a key fixed by the schedule and the period (``run_id_of``):
however many processes decide the same run is due, it is one run.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from affbill_billing.domain.periods import (
    ONE_DAY,
    BillingFrequency,
    BillingPeriod,
    last_closed,
    period_of,
)

# WARNING: changing this namespace changes every scheduled run's key, so a period already
# started would be started again
RUN_NAMESPACE = uuid.UUID("6f0b7a2e-3c41-4f8e-9d52-7a1c0e9b4d38")
SCHEDULE_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
MAX_DELAY_DAYS = 60


@dataclass(frozen=True)
class Schedule:
    """A stored schedule: what it bills, how long after a period it runs, and from when."""

    schedule_id: str
    frequency: BillingFrequency
    delay_days: int  # days after the period is over: 0 = its first day after, at ``hour``
    hour: int  # hour of that day in the network's time zone
    first_period_start: dt.date  # periods before this one are never started by it
    paused: bool = False

    def __post_init__(self) -> None:
        if not SCHEDULE_ID.fullmatch(self.schedule_id):
            raise ValueError(f"schedule_id: {self.schedule_id!r} is not 1-63 lower-case "
                             "letters, digits or dashes")
        if not 0 <= self.delay_days <= MAX_DELAY_DAYS:
            raise ValueError(f"delay_days: {self.delay_days} is not between 0 and "
                             f"{MAX_DELAY_DAYS}")
        if not 0 <= self.hour <= 23:
            raise ValueError(f"hour: {self.hour} is not between 0 and 23")


def due_at(schedule: Schedule, period: BillingPeriod, zone: ZoneInfo) -> dt.datetime:
    """The instant the schedule's run for the period is due (UTC): ``delay_days`` after the
    period is over, at ``hour`` o'clock in the network's time zone (an hour a DST change
    skips counts from the offset before the change: 02:00 becomes 03:00 summer time)."""
    day = period.end + ONE_DAY + dt.timedelta(days=schedule.delay_days)
    return dt.datetime.combine(day, dt.time(schedule.hour), tzinfo=zone).astimezone(dt.UTC)


def due_period(schedule: Schedule, now: dt.datetime, zone: ZoneInfo) -> BillingPeriod | None:
    """The latest period the schedule should have started by ``now`` (None: none yet, or
    paused). Later periods are not due; earlier ones are billed with it."""
    if schedule.paused:
        return None
    period = last_closed(schedule.frequency, now.astimezone(zone).date())
    while period.start >= schedule.first_period_start:
        if due_at(schedule, period, zone) <= now:
            return period
        period = period_of(schedule.frequency, period.start - ONE_DAY)
    return None


def next_due(schedule: Schedule, now: dt.datetime, zone: ZoneInfo
             ) -> tuple[BillingPeriod, dt.datetime]:
    """The next period the schedule will start after ``now``, and when."""
    # a period ending this long before today is due already: start there, step forward
    early = now.astimezone(zone).date() - dt.timedelta(days=schedule.delay_days + 2)
    period = max(period_of(schedule.frequency, early),
                 period_of(schedule.frequency, schedule.first_period_start))
    while due_at(schedule, period, zone) <= now:
        period = period_of(schedule.frequency, period.end + ONE_DAY)
    return period, due_at(schedule, period, zone)


def run_id_of(schedule_id: str, period: BillingPeriod) -> uuid.UUID:
    """The run's key: the same schedule and period always give the same run."""
    return uuid.uuid5(RUN_NAMESPACE, f"schedule:{schedule_id}:{period.start}:{period.end}")


def first_period(frequency: BillingFrequency, today: dt.date) -> BillingPeriod:
    """A new schedule's first period unless it names one: the last closed one (a monthly
    schedule made on 1 December bills November once November's run is due)."""
    return last_closed(frequency, today)
