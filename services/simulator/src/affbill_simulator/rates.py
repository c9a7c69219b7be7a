"""The ECB's euro reference rates (and openexchangerates JSON), served from a formula.

Deterministic: the rate of a currency on a day is its base rate moved by at most ±2 % by
a hash of (currency, day), rounded to the digits the ECB publishes for it, so the demo
and the tests see the same rates on every machine without going outside. Like the ECB,
there are no rates on weekends and TARGET holidays (1 Jan, Good Friday, Easter Monday,
1 May, 25 and 26 Dec). A correction (``POST /control/rates``) replaces one day's rate.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from decimal import Decimal

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel, Field

# base rate per EUR and the decimals the ECB publishes
BASES: dict[str, tuple[str, int]] = {
    "USD": ("1.1606", 4), "JPY": ("162.45", 2), "BGN": ("1.9558", 4), "CZK": ("24.512", 3),
    "DKK": ("7.4612", 4), "GBP": ("0.86905", 5), "HUF": ("385.73", 2), "PLN": ("4.2485", 4),
    "RON": ("4.9768", 4), "SEK": ("11.0765", 4), "CHF": ("0.9312", 4), "ISK": ("146.90", 2),
    "NOK": ("11.6530", 4), "TRY": ("48.8705", 4), "AUD": ("1.7821", 4), "BRL": ("6.2107", 4),
    "CAD": ("1.6301", 4), "CNY": ("8.2465", 4), "HKD": ("9.0311", 4), "IDR": ("19315.50", 2),
    "ILS": ("3.8140", 4), "INR": ("102.7655", 4), "KRW": ("1685.12", 2),
    "MXN": ("21.3545", 4), "MYR": ("4.8820", 4), "NZD": ("2.0110", 4), "PHP": ("67.842", 3),
    "SGD": ("1.5088", 4), "THB": ("37.532", 3), "ZAR": ("20.1540", 4),
}
HISTORY_FROM = dt.date(2024, 1, 1)
ECB_NS = "http://www.ecb.int/vocabulary/2002-08-01/eurofxref"


def easter(year: int) -> dt.date:
    """Gregorian Easter Sunday (anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (h + m - 7 * ((a + 11 * h + 22 * m) // 451) + 114)
    return dt.date(year, n // 31, n % 31 + 1)


def published_on(day: dt.date) -> bool:
    """A TARGET business day: the ECB publishes reference rates."""
    if day.weekday() >= 5:
        return False
    e = easter(day.year)
    holidays = {dt.date(day.year, 1, 1), e - dt.timedelta(days=2), e + dt.timedelta(days=1),
                dt.date(day.year, 5, 1), dt.date(day.year, 12, 25), dt.date(day.year, 12, 26)}
    return day not in holidays


class RateBook:
    """The simulated rates, with corrections."""

    def __init__(self) -> None:
        self.corrections: dict[tuple[dt.date, str], Decimal] = {}

    def rate(self, currency: str, day: dt.date) -> Decimal:
        if (day, currency) in self.corrections:
            return self.corrections[(day, currency)]
        base, places = BASES[currency]
        h = int.from_bytes(hashlib.blake2b(f"{currency}|{day}".encode(), digest_size=4).digest())
        move = Decimal(h % 4001 - 2000) / Decimal(100000)  # -2 % … +2 %
        return (Decimal(base) * (1 + move)).quantize(Decimal(1).scaleb(-places))

    def days(self, first: dt.date, last: dt.date) -> list[dt.date]:
        out, day = [], first
        while day <= last:
            if published_on(day):
                out.append(day)
            day += dt.timedelta(days=1)
        return out

    def ecb_xml(self, days: list[dt.date]) -> bytes:
        cubes = "".join(
            f"<Cube time='{d.isoformat()}'>" + "".join(
                f"<Cube currency='{c}' rate='{self.rate(c, d)}'/>" for c in BASES) + "</Cube>"
            for d in reversed(days))  # the ECB lists the newest day first
        return ("<?xml version='1.0' encoding='UTF-8'?>"
                "<gesmes:Envelope xmlns:gesmes='http://www.gesmes.org/xml/2002-08-01' "
                f"xmlns='{ECB_NS}'><gesmes:subject>Reference rates</gesmes:subject>"
                "<gesmes:Sender><gesmes:name>European Central Bank</gesmes:name></gesmes:Sender>"
                f"<Cube>{cubes}</Cube></gesmes:Envelope>").encode()


class Correction(BaseModel):
    date: dt.date
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    rate: Decimal = Field(gt=0, allow_inf_nan=False)


def build_router(book: RateBook, today: Callable[[], dt.date] = dt.date.today) -> APIRouter:
    router = APIRouter(tags=["rates"])
    xml = "application/xml"

    def last_day() -> dt.date:
        day = today()
        while not published_on(day):
            day -= dt.timedelta(days=1)
        return day

    @router.get("/ecb/eurofxref-daily.xml")
    def daily() -> Response:
        return Response(book.ecb_xml([last_day()]), media_type=xml)

    @router.get("/ecb/eurofxref-hist-90d.xml")
    def ninety() -> Response:
        end = today()
        return Response(book.ecb_xml(book.days(end - dt.timedelta(days=90), end)),
                        media_type=xml)

    @router.get("/ecb/eurofxref-hist.xml")
    def history() -> Response:
        return Response(book.ecb_xml(book.days(HISTORY_FROM, today())), media_type=xml)

    @router.get("/oxr/historical/{day}.json")
    def oxr(day: dt.date, base: str = "EUR") -> Response:
        if base != "EUR":
            raise HTTPException(403, "not_allowed: changing the base currency")
        if not published_on(day):  # openexchangerates quotes every day: the last published
            day = max(d for d in book.days(day - dt.timedelta(days=10), day))
        stamp = int(dt.datetime.combine(day, dt.time(16), dt.UTC).timestamp())
        rates = ", ".join(f'"{c}": {book.rate(c, day)}' for c in BASES)
        return Response(f'{{"base": "EUR", "timestamp": {stamp}, "rates": {{{rates}}}}}',
                        media_type="application/json")

    @router.post("/control/rates")
    def correct(body: Correction) -> dict[str, str]:
        """Correct one day's rate (as the ECB sometimes does after publishing)."""
        if body.currency not in BASES:
            raise HTTPException(404, f"no rates for {body.currency}")
        book.corrections[(body.date, body.currency)] = body.rate
        return {"date": body.date.isoformat(), "currency": body.currency, "rate": str(body.rate)}

    return router
