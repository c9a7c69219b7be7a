"""Exchange rates as the sources publish them: parsing and digests (pure, no I/O).

Two formats prove the source interface: the ECB's euro reference rates (the daily, 90-day
and historic XML files share one format: ``Cube time=…`` holding ``Cube currency= rate=``)
and the openexchangerates JSON (``{"base": …, "timestamp": …, "rates": {…}}``). Rates keep
the digits the source published: XML attributes are text, JSON numbers are read as
Decimal, never as floats. A malformed document raises RatesFormatError naming what is
wrong; no partial set of rates is returned from it.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from xml.etree import ElementTree

from affbill_sync.domain.facts import fingerprint


class RatesFormatError(ValueError):
    """The source answered something that is not its rates format."""


@dataclass(frozen=True)
class DayRates:
    """The rates one source published for one day: units per one unit of ``base``."""

    source: str
    base: str
    rate_date: dt.date
    rates: dict[str, Decimal]

    def digest(self) -> bytes:
        """What makes a day's rates "changed": the values, not when they were fetched."""
        return fingerprint([self.base, *(v for c in sorted(self.rates)
                                         for v in (c, self.rates[c]))])


def _rate(text: str | None, where: str) -> Decimal:
    try:
        rate = Decimal(text or "")
    except InvalidOperation:
        raise RatesFormatError(f"{where}: rate {text!r} is not a number") from None
    if not rate.is_finite() or rate <= 0:
        raise RatesFormatError(f"{where}: rate {text!r} is not a positive number")
    return rate


def _day(text: str | None, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text or "")
    except ValueError:
        raise RatesFormatError(f"{where}: time {text!r} is not a date") from None


def parse_ecb(xml: bytes, source: str = "ecb", since: dt.date | None = None
              ) -> list[DayRates]:
    """The days of an ECB euro reference rates file (daily, 90-day or historic), oldest
    first. The ECB quotes units of each currency per one euro and lists the newest day
    first: with ``since``, reading stops at the first day before it (the historic file
    goes back to 1999; a window of a year reads a year of it)."""
    days: dict[dt.date, dict[str, Decimal]] = {}
    day: dt.date | None = None
    try:
        for _, cube in ElementTree.iterparse(io.BytesIO(xml), events=("start",)):
            if not cube.tag.endswith("Cube"):
                continue
            if "time" in cube.attrib:
                newer = day
                day = _day(cube.get("time"), "Cube")
                if since is not None and day < since and newer is not None and day < newer:
                    break  # newest first: every later day is older still
                days.setdefault(day, {})
            elif "currency" in cube.attrib and day is not None:
                days[day][_code(cube.get("currency"), day)] = _rate(
                    cube.get("rate"), f"Cube {day} {cube.get('currency')}")
    except ElementTree.ParseError as exc:
        raise RatesFormatError(f"not ECB rates XML: {exc}") from None
    if not days:
        raise RatesFormatError("no Cube with a time: not ECB rates XML")
    return [DayRates(source, "EUR", d, rates) for d, rates in sorted(days.items())
            if rates and (since is None or d >= since)]


def _code(currency: str | None, day: dt.date) -> str:
    if not currency or len(currency) != 3 or not currency.isalpha() or not currency.isupper():
        raise RatesFormatError(f"Cube {day}: currency {currency!r} is not a code")
    return currency


def parse_openexchangerates(body: bytes, source: str = "openexchangerates",
                            day: dt.date | None = None) -> DayRates:
    """One openexchangerates answer (latest.json or historical/<date>.json). Its day is
    ``day`` when asked for one, else the day of its timestamp (UTC)."""
    try:
        data = json.loads(body, parse_float=Decimal, parse_int=Decimal)
    except ValueError as exc:
        raise RatesFormatError(f"not openexchangerates JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("rates"), dict):
        raise RatesFormatError("openexchangerates JSON without a 'rates' object")
    base = data.get("base")
    if not isinstance(base, str) or len(base) != 3:
        raise RatesFormatError(f"openexchangerates base {base!r} is not a currency code")
    if day is None:
        stamp = data.get("timestamp")
        if not isinstance(stamp, Decimal):
            raise RatesFormatError("openexchangerates JSON without a timestamp")
        day = dt.datetime.fromtimestamp(int(stamp), dt.UTC).date()
    rates = {c: _rate(str(v), f"rates.{c}") for c, v in data["rates"].items() if c != base}
    return DayRates(source, base, day, rates)
