"""Convert mode: a customer's items in several currencies billed in its billing currency.

Pure, no I/O. The items of each source currency are grouped into lines as the profile
says, in their own currency; each line's net amount is then converted once, HALF_UP to
the billing currency's minor unit, and keeps its snapshot (source amount, quotes, their
date). The document's totals are the sums of the converted lines (invoice_lines.totals),
so converted lines always sum to the total. The threshold compares the converted sum of
the open items with the profile's threshold. The rate is the day's the seller's rule
names (fx.rate_day); a missing one raises MissingRate: nothing is guessed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

from affbill_billing.domain.dates import due_date, invoice_date
from affbill_billing.domain.fx import Conversion, Converted, RateBook, RateDateRule, conversion
from affbill_billing.domain.fx import rate_day as day_of_rate
from affbill_billing.domain.grouping import Item, build_lines, exact_price
from affbill_billing.domain.invoice_lines import Line, totals
from affbill_billing.domain.invoicing import InvoicePlan, Terms, service_period, vat_for
from affbill_billing.domain.money import round_money
from affbill_billing.domain.periods import BillingPeriod
from affbill_billing.domain.thresholds import bills_now


@dataclass(frozen=True)
class SourceTotal:
    """The open items of one source currency: their total and its converted amount."""

    currency: str
    amount: Decimal
    conversion: Conversion

    @property
    def converted(self) -> Decimal:
        return self.conversion.apply(self.amount)

    def describe(self) -> str:
        """``700.00 GBP at 0.86905`` (the published quote(s) used), or ``120.00 EUR``."""
        c = self.conversion
        quotes = [q.rate for q in (c.direct, c.source_rate, c.target_rate) if q is not None]
        at = f" at {' / '.join(str(q) for q in quotes)}" if quotes else ""
        return f"{self.amount} {self.currency}{at}"


def dates(items: list[Item], terms: Terms, today: dt.date, period: BillingPeriod | None = None
          ) -> tuple[dt.date, dt.date, dt.date]:
    """(first day, last day, invoice date) of a document of these items: the billing
    period's where there is one (service_period)."""
    start, end = service_period(items, period)
    return start, end, invoice_date(terms.date_rule, today, end)


def by_currency(items: list[Item]) -> dict[str, list[Item]]:
    out: dict[str, list[Item]] = {}
    for item in sorted(items, key=lambda i: i.currency):
        out.setdefault(item.currency, []).append(item)
    return out


def source_totals(items: list[Item], target: str, book: RateBook, day: dt.date
                  ) -> list[SourceTotal]:
    """Per source currency: the open total (rounded to its minor unit) and its conversion."""
    return [SourceTotal(cur, round_money(sum((i.revenue for i in group), Decimal(0)), cur),
                        conversion(book, cur, target, day))
            for cur, group in by_currency(items).items()]


def converted_line(line: Line, source: str, target: str, conv: Conversion) -> Line:
    """The line in the target currency: its net converted once; the quantity kept where
    quantity × a price in 10 decimals prints the converted net exactly, else quantity 1."""
    if source == target:
        return line
    net_source = line.net(source)
    net = conv.apply(net_source)
    price = exact_price(net, int(line.quantity)) if (
        line.quantity > 0 and line.quantity == int(line.quantity)
        and line.allowance is None) else None
    quantity, unit_price = (line.quantity, price) if price is not None else (Decimal(1), net)
    return replace(line, quantity=quantity, unit_price=unit_price, allowance=None,
                   description=f"{line.description} ({net_source} {source})",
                   converted=Converted(source, net_source, conv))


def plan_converted(items: list[Item], target: str, terms: Terms, today: dt.date,
                   book: RateBook, rule: RateDateRule, period: BillingPeriod | None = None
                   ) -> InvoicePlan:
    """One document in ``target`` for items in any currencies (MissingRate when a
    source currency has no rate for the day)."""
    start, end, issued = dates(items, terms, today, period)
    day = day_of_rate(rule, issued, end)
    vat = vat_for(terms.tax_treatment, terms.domestic_vat_rate)
    lines = [converted_line(line, cur, target, conversion(book, cur, target, day))
             for cur, group in by_currency(items).items()
             for line in build_lines(group, terms.grouping, vat, cur, terms.language)]
    return InvoicePlan(target, lines, totals(lines, target), issued,
                       due_date(issued, terms.payment_days, generated=today,
                                basis=terms.due_basis), start, end)


def converted_sum(items: list[Item], target: str, threshold_currency: str | None,
                  terms: Terms, today: dt.date, book: RateBook, rule: RateDateRule
                  ) -> tuple[str, Decimal, list[SourceTotal]]:
    """The items' sum in the threshold's currency (else the target's), as the threshold is
    compared with it: (currency, converted sum, the sum per source currency)."""
    currency = threshold_currency or target
    _, end, issued = dates(items, terms, today)
    parts = source_totals(items, currency, book, day_of_rate(rule, issued, end))
    return currency, sum((p.converted for p in parts), Decimal(0)), parts


def skip_line(items: list[Item], target: str, threshold: Decimal | None,
              threshold_currency: str | None, terms: Terms, today: dt.date, book: RateBook,
              rule: RateDateRule) -> str | None:
    """None when the converted sum of the items reaches the threshold; else the job-log
    line naming both figures ("Skipped items with a total of 805.47 EUR (from 700.00 GBP
    at 0.86905) (threshold 1000.00 EUR)"). MissingRate when a rate is missing."""
    currency, total, parts = converted_sum(items, target, threshold_currency, terms, today,
                                           book, rule)
    if bills_now(total, threshold):
        return None
    shown = round_money(threshold or Decimal(0), currency)
    return (f"Skipped items with a total of {total} {currency} (from "
            f"{', '.join(p.describe() for p in parts)}) (threshold {shown} {currency})")
