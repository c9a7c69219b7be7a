"""Exchange rates and conversion: which rate a document uses, and exact conversion. Pure.

- A rate is a published fact: units of ``currency`` per one unit of ``base`` (the ECB:
  per one euro), with the digits the source published. It is never rounded, and no
  inverse is ever stored: a foreign amount is converted into the base by dividing by the
  published quote, the base into a foreign currency by multiplying with it, and a direct
  quote between two currencies (base = the source currency) is used where one exists.
- The rate of a day is the one published for that day, else the last one published
  before it (weekends, holidays), but never one older than ``max_age_days``: a missing
  rate is never guessed (MissingRate).
- Conversion rounds HALF_UP to the target currency's minor unit, once, per amount.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, localcontext
from enum import StrEnum

from affbill_billing.domain.money import round_money

ACCOUNTING_CURRENCY = "EUR"  # the seller's books (BT-6 when a document is in another)
MAX_RATE_AGE_DAYS = 7  # the longest gap between two published days we accept


class RateDateRule(StrEnum):
    """Which day's rate a document uses: its invoice date, or its service period's end."""

    INVOICE_DATE = "invoice_date"
    PERIOD_END = "last_day_of_period"


def rate_day(rule: RateDateRule, issue_date: dt.date, period_end: dt.date | None) -> dt.date:
    if rule is RateDateRule.PERIOD_END and period_end is not None:
        return period_end
    return issue_date


@dataclass(frozen=True)
class ExchangeRate:
    """Units of ``currency`` per one unit of ``base`` published for ``rate_date``."""

    currency: str
    rate_date: dt.date
    rate: Decimal
    source: str
    base: str = ACCOUNTING_CURRENCY


class MissingRate(LookupError):
    def __init__(self, currency: str, day: dt.date) -> None:
        super().__init__(f"No {currency} rate for {day.isoformat()}")
        self.currency = currency
        self.day = day


class RateBook:
    """The current rate per (base, currency) and day; ``on`` finds the one a day uses."""

    def __init__(self, rates: Iterable[ExchangeRate], max_age_days: int = MAX_RATE_AGE_DAYS
                 ) -> None:
        self.max_age = dt.timedelta(days=max_age_days)
        by_pair: dict[tuple[str, str], dict[dt.date, ExchangeRate]] = {}
        for r in rates:  # later facts of the same day win: a correction replaces the rate
            by_pair.setdefault((r.base, r.currency), {})[r.rate_date] = r
        self._days = {pair: sorted(days) for pair, days in by_pair.items()}
        self._rates = by_pair

    def on(self, currency: str, day: dt.date, base: str = ACCOUNTING_CURRENCY
           ) -> ExchangeRate:
        """The rate of ``day``, else the last published before it (within max age)."""
        days = self._days.get((base, currency), [])
        at = bisect.bisect_right(days, day)
        if at == 0 or day - days[at - 1] > self.max_age:
            raise MissingRate(currency, day)
        return self._rates[(base, currency)][days[at - 1]]

    def has(self, currency: str, day: dt.date, base: str = ACCOUNTING_CURRENCY) -> bool:
        try:
            self.on(currency, day, base)
        except MissingRate:
            return False
        return True


def into_base(amount: Decimal, rate: ExchangeRate) -> Decimal:
    """``amount`` in ``rate.currency`` converted into the rate's base, HALF_UP to its minor
    unit: amount / published quote (no inverse rate is rounded on the way)."""
    return divided(amount, rate.rate, rate.base)


def divided(amount: Decimal, quote: Decimal, base: str) -> Decimal:
    """``amount`` / ``quote`` in ``base``, HALF_UP to its minor unit, computed exactly
    enough (60 digits) that only the final rounding rounds."""
    with localcontext() as ctx:
        ctx.prec = 60
        value = amount / quote
    return round_money(value, base)


def from_base(amount: Decimal, rate: ExchangeRate) -> Decimal:
    """``amount`` in the rate's base converted into ``rate.currency``, HALF_UP."""
    return round_money(amount * rate.rate, rate.currency)


@dataclass(frozen=True)
class Conversion:
    """How a source amount became a target amount: the quotes used, as published.

    ``target = source / source_rate.rate * target_rate.rate`` (a rate of None is the base
    itself, 1), or ``source * direct.rate`` with a direct quote; rounded once, HALF_UP."""

    source_currency: str
    target_currency: str
    source_rate: ExchangeRate | None = None
    target_rate: ExchangeRate | None = None
    direct: ExchangeRate | None = None

    def apply(self, amount: Decimal) -> Decimal:
        if self.direct is not None:
            return round_money(amount * self.direct.rate, self.target_currency)
        with localcontext() as ctx:
            ctx.prec = 60
            value = amount
            if self.source_rate is not None:
                value = value / self.source_rate.rate
            if self.target_rate is not None:
                value = value * self.target_rate.rate
        return round_money(value, self.target_currency)

    @property
    def rate_date(self) -> dt.date | None:
        used = self.direct or self.source_rate or self.target_rate
        return used.rate_date if used else None


def conversion(book: RateBook, source: str, target: str, day: dt.date) -> Conversion:
    """The conversion of ``source`` amounts into ``target`` on ``day``: a direct quote
    where the book has one, else through the base (ECB: the euro). MissingRate otherwise."""
    if source == target:
        return Conversion(source, target)
    if book.has(target, day, base=source):
        return Conversion(source, target, direct=book.on(target, day, base=source))
    base = ACCOUNTING_CURRENCY
    return Conversion(source, target,
                      source_rate=None if source == base else book.on(source, day),
                      target_rate=None if target == base else book.on(target, day))


@dataclass(frozen=True)
class Converted:
    """A line's snapshot in convert mode: its amount in the items' currency and how it
    became the document's (``conversion.apply(source_amount)`` is the line's net)."""

    source_currency: str
    source_amount: Decimal
    conversion: Conversion
