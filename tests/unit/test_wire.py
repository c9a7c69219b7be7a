"""One wire format for times and amounts in every view (affbill_contracts.wire)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from affbill_contracts.wire import amount_text, jsonable, rounded, timestamp

RFC3339_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def test_times_are_rfc3339_with_t_and_z_whatever_their_offset() -> None:
    berlin = dt.timezone(dt.timedelta(hours=1))
    assert timestamp(dt.datetime(2026, 12, 1, 22, 30, 36, 714326, tzinfo=berlin)) == (
        "2026-12-01T21:30:36.714326Z")
    assert timestamp(dt.datetime(2026, 12, 1, 21, 30, tzinfo=dt.UTC)) == "2026-12-01T21:30:00Z"
    assert timestamp(dt.datetime(2026, 12, 1, 21, 30)) == "2026-12-01T21:30:00Z"  # naive: UTC


OFFSETS = st.builds(dt.timezone, st.timedeltas(min_value=dt.timedelta(hours=-23),
                                               max_value=dt.timedelta(hours=23)))


@given(st.datetimes(timezones=OFFSETS))  # what the database and the events hand over
def test_every_time_reads_back_as_the_same_instant(value: dt.datetime) -> None:
    text = timestamp(value)
    assert RFC3339_Z.match(text)
    assert dt.datetime.fromisoformat(text) == value


def test_amounts_for_people_are_rounded_to_the_currencys_minor_unit() -> None:
    assert rounded(Decimal("13744.00591"), "EUR") == "13744.01"
    assert rounded(Decimal("528.6499"), "EUR") == "528.65"
    assert rounded(Decimal("0.005"), "EUR") == "0.01"  # HALF_UP, as invoice lines
    assert rounded(Decimal("13744.5"), "JPY") == "13745"
    assert rounded(Decimal("1.2345"), "KWD") == "1.235"
    assert rounded(Decimal("-2.345"), "EUR") == "-2.35"


def test_exact_amounts_keep_their_precision() -> None:
    assert amount_text(Decimal("13744.00591")) == "13744.00591"
    assert amount_text(Decimal("12.50000")) == "12.50"


def test_views_are_printed_all_the_way_down() -> None:
    at = dt.datetime(2026, 12, 1, 21, 30, tzinfo=dt.UTC)
    item = uuid.UUID(int=1)
    assert jsonable({"at": at, "lines": [{"day": dt.date(2026, 11, 30), "id": item,
                                          "amount": Decimal("1.50")}]}) == {
        "at": "2026-12-01T21:30:00Z",
        "lines": [{"day": "2026-11-30", "id": str(item), "amount": "1.50"}]}
