"""Period readiness: every connector needs a sync that read the period's days and started
after its end plus the settle time, in the network's time zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from affbill_billing.domain.periods import BillingPeriod
from affbill_billing.domain.readiness import SyncOutcome, readiness

NOVEMBER = BillingPeriod(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
BERLIN, UTC = ZoneInfo("Europe/Berlin"), ZoneInfo("UTC")
DAY = dt.timedelta(hours=24)


def sync(connector: str, started: str, date_from: str = "2026-11-01",
         date_to: str = "2026-12-02", scope: str = "standard") -> SyncOutcome:
    return SyncOutcome(connector, scope, dt.date.fromisoformat(date_from),
                       dt.date.fromisoformat(date_to),
                       dt.datetime.fromisoformat(started).replace(tzinfo=dt.UTC))


def test_ready_when_every_connector_synced_after_end_plus_settle() -> None:
    # November ends at 2026-11-30T23:00Z in Berlin; + 24 h = 2026-12-01T23:00Z
    early, late = sync("ho", "2026-12-01T22:59:59"), sync("ho", "2026-12-01T23:00:00")
    r = readiness(NOVEMBER, BERLIN, DAY, ["ho", "ef"], [early, late])
    assert not r.ready and r.waiting_for() == ["ef"]
    assert r.ready_after == dt.datetime(2026, 12, 1, 23, tzinfo=dt.UTC)
    assert "no successful sync of ef" in r.describe()
    r = readiness(NOVEMBER, BERLIN, DAY, ["ho", "ef"],
                  [late, sync("ef", "2026-12-02T06:00:00", scope="partial")])
    assert r.ready and r.describe() == "Period 2026-11-01..2026-11-30 is ready"
    assert readiness(NOVEMBER, BERLIN, DAY, ["ho"], [early]).waiting_for() == ["ho"]
    midnight = sync("ho", "2026-12-02T00:00:00")  # UTC: November + 24 h is over
    assert readiness(NOVEMBER, UTC, DAY, ["ho"], [midnight]).ready
    # New York (EST, UTC-5): November ends at 12-01T05:00Z; + 24 h = 12-02T05:00Z
    assert not readiness(NOVEMBER, ZoneInfo("America/New_York"), DAY, ["ho"], [midnight]).ready


def test_a_sync_that_did_not_read_the_period_does_not_count() -> None:
    short = sync("ho", "2026-12-03T00:00:00", date_from="2026-11-28")
    assert not readiness(NOVEMBER, UTC, DAY, ["ho"], [short]).ready
    stale = sync("ho", "2026-12-03T00:00:00", date_to="2026-11-29")
    assert not readiness(NOVEMBER, UTC, DAY, ["ho"], [stale]).ready


def test_no_connector_means_not_ready() -> None:
    r = readiness(NOVEMBER, UTC, DAY, [], [])
    assert not r.ready and "no adtracker sync has been seen yet" in r.describe()


@given(st.datetimes(dt.datetime(2026, 11, 25), dt.datetime(2026, 12, 5),
                    timezones=st.just(dt.UTC)),
       st.sampled_from([UTC, BERLIN, ZoneInfo("America/New_York")]),
       st.integers(0, 72))
def test_a_sync_counts_exactly_from_end_plus_settle(started: dt.datetime, zone: ZoneInfo,
                                                    hours: int) -> None:
    settle = dt.timedelta(hours=hours)
    outcome = SyncOutcome("ho", "standard", NOVEMBER.start, dt.date(2026, 12, 5), started)
    r = readiness(NOVEMBER, zone, settle, ["ho"], [outcome])
    assert r.ready == (started >= NOVEMBER.ends_at(zone) + settle)
