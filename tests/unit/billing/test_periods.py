"""Billing periods: tiling, the last closed period, the network's day (UTC, Berlin, New
York, across DST changes), the names clerks give them."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from affbill_billing.domain.periods import (
    BillingFrequency,
    BillingPeriod,
    billed_until,
    last_closed,
    local_day,
    period_of,
)
from affbill_billing.domain.runs import last_day_billed, last_day_read
from affbill_contracts.periods import period_days

UTC, BERLIN, NEW_YORK = ZoneInfo("UTC"), ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")
ZONES = st.sampled_from([UTC, BERLIN, NEW_YORK])
DAYS = st.dates(dt.date(2000, 1, 1), dt.date(2100, 12, 31))
FREQUENCIES = st.sampled_from(list(BillingFrequency))
INSTANTS = st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2100, 1, 1),
                        timezones=st.just(dt.UTC))


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


@given(FREQUENCIES, DAYS)
def test_every_day_is_in_one_period_and_periods_tile(frequency: BillingFrequency,
                                                     day: dt.date) -> None:
    period = period_of(frequency, day)
    assert day in period
    after = period_of(frequency, period.end + dt.timedelta(days=1))
    assert after.start == period.end + dt.timedelta(days=1)
    assert period_of(frequency, period.start) == period == period_of(frequency, period.end)
    length = (period.end - period.start).days + 1
    assert length in {BillingFrequency.WEEKLY: {7}, BillingFrequency.BIWEEKLY: {14},
                      BillingFrequency.MONTHLY: {28, 29, 30, 31},
                      BillingFrequency.QUARTERLY: {90, 91, 92}}[frequency]


@given(FREQUENCIES, INSTANTS, ZONES)
def test_the_last_closed_period_is_over_and_the_next_holds_today(
        frequency: BillingFrequency, now: dt.datetime, zone: ZoneInfo) -> None:
    today = local_day(now, zone)
    closed = last_closed(frequency, today)
    assert closed.end < today  # the current day is never in it
    assert closed.ends_at(zone) <= now  # over in the network's time zone
    assert today in period_of(frequency, closed.end + dt.timedelta(days=1))


@given(FREQUENCIES, INSTANTS, ZONES)
def test_a_run_never_reads_today(frequency: BillingFrequency, now: dt.datetime,
                                 zone: ZoneInfo) -> None:
    today = local_day(now, zone)
    assert last_day_billed(None, today, frequency) <= last_day_read(None, today) < today
    assert last_day_read(today + dt.timedelta(days=30), today) == today - dt.timedelta(days=1)


@pytest.mark.parametrize(("now", "zone", "month"), [
    # UTC: the month turns at midnight UTC
    ("2026-10-31T23:59:59", UTC, 9), ("2026-11-01T00:00:00", UTC, 10),
    # Berlin (CET, UTC+1 after 25 October): November starts at 23:00 UTC
    ("2026-10-31T22:59:59", BERLIN, 9), ("2026-10-31T23:00:00", BERLIN, 10),
    # New York (EDT, UTC-4 until 1 November 06:00 UTC): November starts at 04:00 UTC
    ("2026-11-01T03:59:59", NEW_YORK, 9), ("2026-11-01T04:00:00", NEW_YORK, 10),
    # New York in March (EST, UTC-5 until the 8th): March starts at 05:00 UTC
    ("2026-03-01T04:59:59", NEW_YORK, 1), ("2026-03-01T05:00:00", NEW_YORK, 2),
])
def test_the_default_month_turns_at_local_midnight(now: str, zone: ZoneInfo, month: int
                                                   ) -> None:
    closed = last_closed(BillingFrequency.MONTHLY, local_day(at(now), zone))
    assert closed.start.month == month and closed.start.day == 1


@pytest.mark.parametrize(("zone", "period", "starts", "ends", "hours"), [
    # October 2026 in Berlin: summer time ends on the 25th (a 25-hour day)
    (BERLIN, ("2026-10-01", "2026-10-31"), "2026-09-30T22:00:00", "2026-10-31T23:00:00",
     31 * 24 + 1),
    # March 2026 in Berlin: summer time starts on the 29th (a 23-hour day)
    (BERLIN, ("2026-03-29", "2026-03-29"), "2026-03-28T23:00:00", "2026-03-29T22:00:00", 23),
    # New York: the week of 1 November 2026 (DST ends that Sunday)
    (NEW_YORK, ("2026-10-26", "2026-11-01"), "2026-10-26T04:00:00", "2026-11-02T05:00:00",
     7 * 24 + 1),
    # New York: 8 March 2026, the day clocks go forward
    (NEW_YORK, ("2026-03-08", "2026-03-08"), "2026-03-08T05:00:00", "2026-03-09T04:00:00", 23),
    (UTC, ("2026-10-01", "2026-10-31"), "2026-10-01T00:00:00", "2026-11-01T00:00:00", 744),
])
def test_period_instants_across_dst(zone: ZoneInfo, period: tuple[str, str], starts: str,
                                    ends: str, hours: int) -> None:
    p = BillingPeriod(*(dt.date.fromisoformat(d) for d in period))
    assert (p.starts_at(zone), p.ends_at(zone)) == (at(starts), at(ends))
    assert (p.ends_at(zone) - p.starts_at(zone)) == dt.timedelta(hours=hours)


def test_weekly_biweekly_quarterly_closed_periods() -> None:
    today = dt.date(2026, 11, 4)  # a Wednesday
    assert last_closed(BillingFrequency.WEEKLY, today) == BillingPeriod(
        dt.date(2026, 10, 26), dt.date(2026, 11, 1))
    biweekly = last_closed(BillingFrequency.BIWEEKLY, today)
    assert biweekly.end < today and (biweekly.start - dt.date(2024, 1, 1)).days % 14 == 0
    assert biweekly.start.weekday() == 0
    assert last_closed(BillingFrequency.QUARTERLY, today) == BillingPeriod(
        dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert last_closed(BillingFrequency.QUARTERLY, dt.date(2027, 1, 1)) == BillingPeriod(
        dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert billed_until(dt.date(2026, 11, 30), today) == dt.date(2026, 11, 3)


@pytest.mark.parametrize(("name", "days"), [
    ("2026-11", ("2026-11-01", "2026-11-30")), ("2024-02", ("2024-02-01", "2024-02-29")),
    ("2026-12", ("2026-12-01", "2026-12-31")), ("2026-Q4", ("2026-10-01", "2026-12-31")),
    ("2026-Q1", ("2026-01-01", "2026-03-31")), ("2026-W01", ("2025-12-29", "2026-01-04")),
    ("2026-11-01..2026-11-14", ("2026-11-01", "2026-11-14")),
])
def test_period_names(name: str, days: tuple[str, str]) -> None:
    assert period_days(name) == tuple(dt.date.fromisoformat(d) for d in days)


@pytest.mark.parametrize(("name", "reason"), [
    ("2026-13", "month must be in 1..12"), ("November", "not a period; use 2026-11"),
    ("2026-W54", "period '2026-W54'"), ("2026-11-14..2026-11-01", "last day is before"),
    ("2026-Q5", "not a period"),
])
def test_bad_period_names_are_refused_by_name(name: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        period_days(name)


@given(FREQUENCIES, DAYS)
def test_a_named_month_quarter_or_week_is_that_frequency_s_period(
        frequency: BillingFrequency, day: dt.date) -> None:
    period = period_of(frequency, day)
    if frequency is BillingFrequency.MONTHLY:
        name = f"{day.year}-{day.month:02d}"
    elif frequency is BillingFrequency.QUARTERLY:
        name = f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    elif frequency is BillingFrequency.WEEKLY:
        year, week, _ = day.isocalendar()
        name = f"{year}-W{week:02d}"
    else:
        name = f"{period.start}..{period.end}"
    assert BillingPeriod(*period_days(name)) == period
