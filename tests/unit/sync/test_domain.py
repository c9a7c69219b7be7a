"""Pure rules of the sync: windows, fingerprints, parsing, encoding that matches the contract."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from affbill_contracts import StatRowSynced, decode
from affbill_sync.adapters import encoding
from affbill_sync.domain import parsing, windows
from affbill_sync.domain.facts import day_digest, event_id, event_id_text, fingerprint
from affbill_sync.domain.model import StatFact, totals_of

D = dt.date


def fact(**kw: object) -> StatFact:
    values: dict[str, object] = dict(date=D(2026, 10, 1), advertiser_id="7", offer_id="20",
                                     offer_name="Shop", affiliate_id="1004", currency="EUR",
                                     conversions=3, revenue=Decimal("12.34500"),
                                     payout=Decimal("9.00000"))
    values.update(kw)
    return StatFact(**values)  # type: ignore[arg-type]


def test_default_window_is_previous_and_current_month() -> None:
    assert windows.default_window(D(2026, 11, 26)) == (D(2026, 10, 1), D(2026, 11, 26))
    assert windows.default_window(D(2026, 1, 3)) == (D(2025, 12, 1), D(2026, 1, 3))


def test_split_and_ranges() -> None:
    assert windows.split(D(2026, 1, 1), D(2026, 1, 10)) == [
        (D(2026, 1, 1), D(2026, 1, 5)), (D(2026, 1, 6), D(2026, 1, 10))]
    assert windows.split(D(2026, 1, 1), D(2026, 1, 1)) == [(D(2026, 1, 1), D(2026, 1, 1))]
    days = [D(2026, 1, 1), D(2026, 1, 2), D(2026, 1, 5)]
    assert windows.ranges(days) == [(D(2026, 1, 1), D(2026, 1, 2)), (D(2026, 1, 5), D(2026, 1, 5))]


@given(st.decimals(places=5, min_value=-10**9, max_value=10**9, allow_nan=False))
def test_fingerprint_ignores_trailing_zeros_only(amount: Decimal) -> None:
    assert fingerprint([amount]) == fingerprint([Decimal(f"{amount:.7f}")])
    assert fingerprint([amount]) != fingerprint([amount + Decimal("0.00001")])


def test_event_id_text_is_a_valid_uuid() -> None:
    text = event_id_text("stat", "k", None, b"x" * 16)
    assert str(uuid.UUID(text)) == text and uuid.UUID(text).version == 8
    assert event_id("stat", "k", None, b"x" * 16) == uuid.UUID(text)


def test_event_id_names_the_change() -> None:
    a, b = fact().digest(), fact(revenue=Decimal("12.34501")).digest()
    assert event_id("stat", "k", None, a) == event_id("stat", "k", None, a)  # a re-run
    assert event_id("stat", "k", None, a) != event_id("stat", "k", None, b)
    # A → B → A: going back is a new change, not the first one again
    assert event_id("stat", "k", b, a) != event_id("stat", "k", None, a)
    assert event_id("stat", "k", a, None) != event_id("stat", "k", b, None)


def test_day_digest_is_order_independent_and_sees_any_total_change() -> None:
    facts = [fact(), fact(offer_id="21", revenue=Decimal("1")), fact(advertiser_id="8")]
    digest = day_digest(t.as_tuple() for t in totals_of(facts))
    assert digest == day_digest(t.as_tuple() for t in totals_of(facts[::-1]))
    changed = [fact(revenue=Decimal("12.34501")), *facts[1:]]
    assert digest != day_digest(t.as_tuple() for t in totals_of(changed))


@pytest.mark.parametrize(("raw", "message"), [
    ("abc", "revenue: not a number: 'abc'"), ("", "revenue: missing amount"),
    ("NaN", "revenue: not a finite number")])
def test_bad_amounts_name_field_and_reason(raw: str, message: str) -> None:
    with pytest.raises(parsing.BadValue, match=message):
        parsing.amount(raw, "revenue")


def test_unknown_currency_and_missing_id() -> None:
    with pytest.raises(parsing.BadValue, match="currency: unknown currency 'XXX'"):
        parsing.currency("XXX")
    with pytest.raises(parsing.BadValue, match="advertiser_id: missing id"):
        parsing.ident(None, "advertiser_id")


def test_fast_stat_encoding_is_the_contract() -> None:
    f = fact()
    key = f.key("ho")
    eid, job = uuid.uuid4(), uuid.uuid4()
    envelope = decode(encoding.stat_row("ho", key, f, str(eid), str(job)))
    assert envelope.event_id == eid and envelope.job_id == job
    assert envelope.payload == StatRowSynced(
        connector="ho", stat_key=key, date=f.date, advertiser_id="7", offer_id="20",
        offer_name="Shop", affiliate_id="1004", currency="EUR", conversions=3,
        revenue=Decimal("12.34500"), payout=Decimal("9.00000"))
    removed = decode(encoding.removed_stat_row(key, eid, job)).payload
    assert removed.removed and removed.revenue == 0 and removed.stat_key == key
    assert StatRowSynced.model_validate(envelope.payload.model_dump(), extra="forbid")


def test_a_window_is_bounded_and_runs_forwards() -> None:
    start = dt.date(2026, 1, 1)
    assert windows.window_problem(start, start + dt.timedelta(days=399), 400) is None
    too_long = windows.window_problem(start, start + dt.timedelta(days=400), 400)
    assert too_long and "401 days" in too_long and "at most 400" in too_long
    backwards = windows.window_problem(start, start - dt.timedelta(days=1), 400)
    assert backwards == "date_from 2026-01-01 is after date_to 2025-12-31"
