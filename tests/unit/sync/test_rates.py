"""Rates as the sources publish them: the ECB XML files and openexchangerates JSON."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from affbill_simulator.rates import RateBook, easter, published_on
from affbill_sync.adapters.rates_sources import EcbSource
from affbill_sync.domain.rates import RatesFormatError, parse_ecb, parse_openexchangerates

ECB_DAILY = b"""<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01"
    xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
  <gesmes:subject>Reference rates</gesmes:subject>
  <gesmes:Sender><gesmes:name>European Central Bank</gesmes:name></gesmes:Sender>
  <Cube>
    <Cube time='2026-11-27'>
      <Cube currency='USD' rate='1.1606'/>
      <Cube currency='JPY' rate='162.40'/>
      <Cube currency='GBP' rate='0.86905'/>
    </Cube>
  </Cube>
</gesmes:Envelope>"""


def test_the_ecb_daily_file_keeps_the_published_digits() -> None:
    [day] = parse_ecb(ECB_DAILY)
    assert (day.source, day.base, day.rate_date) == ("ecb", "EUR", dt.date(2026, 11, 27))
    assert day.rates == {"USD": Decimal("1.1606"), "JPY": Decimal("162.40"),
                         "GBP": Decimal("0.86905")}
    assert str(day.rates["JPY"]) == "162.40"  # as published, trailing zero and all


def test_the_historic_files_give_every_day_oldest_first() -> None:
    book = RateBook()
    days = book.days(dt.date(2026, 3, 30), dt.date(2026, 4, 10))
    parsed = parse_ecb(book.ecb_xml(days))
    assert [d.rate_date for d in parsed] == days  # the file lists the newest first
    assert dt.date(2026, 4, 3) not in days and dt.date(2026, 4, 6) not in days  # Easter
    assert all(len(d.rates) == 30 for d in parsed)
    assert parsed[0].rates["GBP"] == book.rate("GBP", days[0])


def test_the_source_reads_the_smallest_file_covering_the_window() -> None:
    ecb, today = EcbSource("http://x/ecb"), dt.date(2026, 11, 30)
    assert ecb.file_for(today, today) == "eurofxref-daily.xml"
    assert ecb.file_for(today - dt.timedelta(days=7), today) == "eurofxref-hist-90d.xml"
    assert ecb.file_for(today - dt.timedelta(days=365), today) == "eurofxref-hist.xml"


def test_openexchangerates_json_numbers_are_read_as_decimals() -> None:
    body = (b'{"disclaimer": "x", "timestamp": 1795795200, "base": "EUR", '
            b'"rates": {"GBP": 0.86905, "USD": 1.1606, "EUR": 1, "JPY": 162.40}}')
    day = parse_openexchangerates(body)
    assert day.rate_date == dt.date(2026, 11, 27) and day.base == "EUR"
    assert day.rates == {"GBP": Decimal("0.86905"), "USD": Decimal("1.1606"),
                         "JPY": Decimal("162.40")}  # the base is not quoted against itself


@pytest.mark.parametrize(("body", "reason"), [
    (b"<html>maintenance</html>", "no Cube with a time"),
    (b"<Envelope><Cube><Cube time='2026-13-01'/></Cube></Envelope>", "is not a date"),
    (b"<Envelope><Cube><Cube time='2026-11-27'><Cube currency='USD' rate='-1'/></Cube></Cube>"
     b"</Envelope>", "not a positive number"),
    (b"<Envelope><Cube><Cube time='2026-11-27'><Cube currency='usd' rate='1'/></Cube></Cube>"
     b"</Envelope>", "is not a code"),
    (b"not xml", "not ECB rates XML"),
])
def test_a_malformed_ecb_file_is_refused_whole(body: bytes, reason: str) -> None:
    with pytest.raises(RatesFormatError, match=reason):
        parse_ecb(body)


def test_target_holidays() -> None:
    assert easter(2026) == dt.date(2026, 4, 5) and easter(2027) == dt.date(2027, 3, 28)
    assert not published_on(dt.date(2026, 12, 25)) and not published_on(dt.date(2026, 5, 1))
    assert not published_on(dt.date(2026, 11, 28))  # a Saturday
    assert published_on(dt.date(2026, 11, 27))


def test_digest_changes_with_a_corrected_rate_only() -> None:
    [day] = parse_ecb(ECB_DAILY)
    again = parse_ecb(ECB_DAILY.replace(b"1.1606", b"1.16060"))[0]
    corrected = parse_ecb(ECB_DAILY.replace(b"1.1606", b"1.1610"))[0]
    assert day.digest() == again.digest() != corrected.digest()
