"""From billable items to invoice lines, grouped as the customer's profile says.

A line must print quantity × unit price = net amount, exactly. Where every item
of a line has the same price per conversion and conversions × price is a whole
amount in the currency, the line bills the conversions at that price; otherwise
it bills quantity 1 at the summed amount, rounded, and its text names the conversions.
A line's text names the offer (its name as the adtracker has it) and the period, in the
document's language with its date format.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Hashable
from decimal import Context, Decimal, Inexact, localcontext
from enum import StrEnum
from typing import NamedTuple

from affbill_billing.domain import wording
from affbill_billing.domain.invoice_lines import Line, Vat
from affbill_billing.domain.money import round_money

PRICE_DECIMALS = 10  # what an invoice line's unit price may carry (the contract's limit)


class LineGrouping(StrEnum):
    OFFER_PER_PERIOD = "offer_per_period"
    PERIOD = "period"
    OFFER_PER_DAY = "offer_per_day"


class Item(NamedTuple):
    """An open billable item as a run or a draft bills it (a tuple: runs make millions)."""

    item_id: uuid.UUID
    offer_id: str
    offer_name: str
    day: dt.date
    currency: str
    units: int
    revenue: Decimal


def build_lines(items: list[Item], grouping: LineGrouping, vat: Vat, currency: str,
                language: str = "en") -> list[Line]:
    """The lines, their texts in the document's language (en, de)."""
    keys: dict[LineGrouping, Callable[[Item], Hashable]] = {
        LineGrouping.OFFER_PER_PERIOD: lambda i: (i.offer_name or i.offer_id, i.offer_id),
        LineGrouping.PERIOD: lambda _: ("",),
        LineGrouping.OFFER_PER_DAY: lambda i: (i.offer_name or i.offer_id, i.offer_id, i.day),
    }
    groups: dict[Hashable, list[Item]] = {}
    for item in sorted(items, key=lambda i: (i.offer_name, i.offer_id, i.day, i.item_id)):
        groups.setdefault(keys[grouping](item), []).append(item)
    return [_line(group, grouping, vat, currency, language) for group in groups.values()]


def _line(items: list[Item], grouping: LineGrouping, vat: Vat, currency: str,
          language: str) -> Line:
    lang = "de" if language == "de" else "en"
    first, last = min(i.day for i in items), max(i.day for i in items)
    revenue = sum((i.revenue for i in items), Decimal(0))
    units = sum(i.units for i in items)
    price = _common_price(items)
    if price is not None and round_money(price * units, currency) != price * units:
        price = None  # units × price would not print as the net amount: bill the amount
    what = wording.SERVICES[lang] if grouping is LineGrouping.PERIOD else (
        items[0].offer_name or wording.OFFER[lang].format(id=items[0].offer_id))
    when = wording.span(first, last, lang)
    ids = tuple(i.item_id for i in items)
    if price is not None and units > 0:
        return Line(f"{what}, {when}", Decimal(units), price, vat, "C62", first, last, ids)
    # billed as one amount: the text still says how many conversions it is for
    counted = f" ({wording.conversions(units, lang)})" if units > 0 else ""
    return Line(f"{what}, {when}{counted}", Decimal(1), round_money(revenue, currency), vat,
                "C62", first, last, ids)


def _common_price(items: list[Item]) -> Decimal | None:
    """The price per conversion when all items share one, exactly (and printable with the
    10 decimals a document allows). Items share a price when revenue × the first's units
    equals the first's revenue × units for each (exact at 60 digits): one division is left."""
    first = items[0]
    if first.units <= 0:
        return None
    with localcontext(Context(prec=60)):
        for item in items:
            if item.units <= 0 or item.revenue * first.units != first.revenue * item.units:
                return None
    return exact_price(first.revenue, first.units)


def exact_price(revenue: Decimal, units: int) -> Decimal | None:
    """revenue / units when that division is exact, else None. Decimal's 28 digits would
    round 12.50 / 3 to 4.166…667, whose product with 3 rounds back to 12.50."""
    with localcontext(Context(prec=60, traps=[Inexact])):
        try:
            price = (revenue / units).normalize()
        except Inexact:
            return None
    return price if price.as_tuple().exponent >= -PRICE_DECIMALS else None
