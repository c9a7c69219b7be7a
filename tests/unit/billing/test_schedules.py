"""Schedules: which period is due when (generation delay, hour, network time zone across DST
changes), the latest due period only, paused schedules, one key per schedule and period."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from affbill_billing.domain.periods import BillingFrequency, BillingPeriod, period_of
from affbill_billing.domain.schedules import (
    Schedule,
    due_at,
    due_period,
    first_period,
    next_due,
    run_id_of,
)

UTC, BERLIN, NEW_YORK = ZoneInfo("UTC"), ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")
NOVEMBER = BillingPeriod(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
MONTHLY_ON_THE_3RD = Schedule("monthly", BillingFrequency.MONTHLY, 2, 6, dt.date(2026, 1, 1))


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC)


def test_the_3rd_of_the_month_for_the_previous_month_in_the_network_zone() -> None:
    assert due_at(MONTHLY_ON_THE_3RD, NOVEMBER, BERLIN) == at("2026-12-03T06:00+01:00")
    assert due_at(MONTHLY_ON_THE_3RD, NOVEMBER, NEW_YORK) == at("2026-12-03T06:00-05:00")
    assert due_period(MONTHLY_ON_THE_3RD, at("2026-12-03T05:59+01:00"), BERLIN) == \
        BillingPeriod(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert due_period(MONTHLY_ON_THE_3RD, at("2026-12-03T06:00+01:00"), BERLIN) == NOVEMBER
    # 06:00 in Berlin is not yet 06:00 in New York
    assert due_period(MONTHLY_ON_THE_3RD, at("2026-12-03T06:00+01:00"), NEW_YORK) != NOVEMBER


def test_dst_change_days() -> None:
    march = BillingPeriod(dt.date(2026, 3, 1), dt.date(2026, 3, 28))
    weekly = Schedule("weekly", BillingFrequency.WEEKLY, 0, 2, dt.date(2026, 1, 1))
    # Berlin springs forward on 29 March 2026 at 02:00: the hour that does not exist
    assert due_at(weekly, march, BERLIN) == at("2026-03-29T03:00+02:00")
    # New York falls back on 1 November 2026: 02:00 exists once, standard time
    week = period_of(BillingFrequency.WEEKLY, dt.date(2026, 10, 31))
    assert week.end == dt.date(2026, 11, 1)
    assert due_at(weekly, week, NEW_YORK) == at("2026-11-02T02:00-05:00")
    autumn = Schedule("w", BillingFrequency.WEEKLY, 6, 1, dt.date(2026, 1, 1))
    assert due_at(autumn, BillingPeriod(dt.date(2026, 10, 19), dt.date(2026, 10, 25)),
                  NEW_YORK) == at("2026-11-01T01:00-04:00")  # the first 01:00 (fold 0)


def test_only_the_latest_due_period_and_nothing_before_the_first() -> None:
    schedule = Schedule("m", BillingFrequency.MONTHLY, 0, 0, dt.date(2026, 11, 1))
    # months later: the latest closed month only (earlier open items are billed with it)
    assert due_period(schedule, at("2027-03-15T12:00+00:00"), UTC) == \
        BillingPeriod(dt.date(2027, 2, 1), dt.date(2027, 2, 28))
    # before November is due nothing is: October lies before the schedule's first period
    assert due_period(schedule, at("2026-11-30T23:00+00:00"), UTC) is None
    assert due_period(schedule, at("2026-12-01T00:00+00:00"), UTC) == NOVEMBER


def test_paused_schedules_start_nothing_and_show_no_next_run_as_due() -> None:
    paused = Schedule("m", BillingFrequency.MONTHLY, 0, 0, dt.date(2026, 1, 1), paused=True)
    assert due_period(paused, at("2026-12-10T00:00+00:00"), UTC) is None


def test_next_due() -> None:
    assert next_due(MONTHLY_ON_THE_3RD, at("2026-12-02T00:00+00:00"), UTC) == (
        NOVEMBER, at("2026-12-03T06:00+00:00"))
    assert next_due(MONTHLY_ON_THE_3RD, at("2026-12-03T07:00+00:00"), UTC) == (
        BillingPeriod(dt.date(2026, 12, 1), dt.date(2026, 12, 31)),
        at("2027-01-03T06:00+00:00"))
    later = Schedule("m", BillingFrequency.MONTHLY, 0, 0, dt.date(2027, 3, 1))
    assert next_due(later, at("2026-12-03T07:00+00:00"), UTC)[0].start == dt.date(2027, 3, 1)


def test_first_period_is_the_last_closed_one() -> None:
    assert first_period(BillingFrequency.MONTHLY, dt.date(2026, 12, 1)) == NOVEMBER


@given(st.sampled_from(list(BillingFrequency)),
       st.datetimes(dt.datetime(2020, 1, 1), dt.datetime(2040, 1, 1), timezones=st.just(dt.UTC)),
       st.integers(0, 60), st.integers(0, 23), st.sampled_from([UTC, BERLIN, NEW_YORK]))
def test_the_due_period_is_due_and_the_next_is_not(frequency: BillingFrequency,
                                                   now: dt.datetime, delay: int, hour: int,
                                                   zone: ZoneInfo) -> None:
    schedule = Schedule("s", frequency, delay, hour, dt.date(2000, 1, 3))
    due = due_period(schedule, now, zone)
    assert due is not None and due_at(schedule, due, zone) <= now
    following = period_of(frequency, due.end + dt.timedelta(days=1))
    assert due_at(schedule, following, zone) > now
    upcoming, when = next_due(schedule, now, zone)
    assert upcoming == following and when > now


def test_one_key_per_schedule_and_period() -> None:
    assert run_id_of("monthly", NOVEMBER) == run_id_of("monthly", NOVEMBER)
    assert run_id_of("monthly", NOVEMBER) != run_id_of("monthly-2", NOVEMBER)
    assert run_id_of("monthly", NOVEMBER) != run_id_of(
        "monthly", BillingPeriod(dt.date(2026, 12, 1), dt.date(2026, 12, 31)))


@pytest.mark.parametrize("field, args", [
    ("schedule_id", ("Monthly!", BillingFrequency.MONTHLY, 0, 0)),
    ("delay_days", ("m", BillingFrequency.MONTHLY, 61, 0)),
    ("hour", ("m", BillingFrequency.MONTHLY, 0, 24)),
])
def test_bad_schedules_name_the_field(field: str, args: tuple) -> None:
    with pytest.raises(ValueError, match=field):
        Schedule(*args, dt.date(2026, 1, 1))


def test_a_schedule_id_is_refused_unless_all_of_it_is_an_id() -> None:
    from affbill_billing.entrypoints.schedules_http import ScheduleCreate
    with pytest.raises(ValueError, match="schedule_id"):  # "l6hi" inside used to pass
        ScheduleCreate(schedule_id="\U000336ae.>Él6hiXú", frequency="quarterly")
    assert ScheduleCreate(schedule_id="monthly-1", frequency="monthly").schedule_id == "monthly-1"
