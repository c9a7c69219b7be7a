"""The generator's totals per customer and currency, as a pure fold over open items.

Python twin of ``adapters/sql/generator_totals_apply.sql`` (the trigger that keeps the
``generator_totals`` table): whatever sequence of changes led to the open items, the
table holds exactly this fold of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class OpenItem:
    customer_id: str
    currency: str
    day: dt.date
    revenue: Decimal
    in_draft: bool


@dataclass(frozen=True)
class GeneratorTotals:
    items: int  # open, in no draft
    total: Decimal
    draft_items: int  # open, reserved by a draft
    draft_total: Decimal
    first_day: dt.date  # of all open items, drafts included
    last_day: dt.date


def fold(items: Iterable[OpenItem]) -> dict[tuple[str, str], GeneratorTotals]:
    """{(customer, currency): totals} of the open items; a group without items has none."""
    out: dict[tuple[str, str], GeneratorTotals] = {}
    for i in items:
        key = (i.customer_id, i.currency)
        was = out.get(key) or GeneratorTotals(0, Decimal(0), 0, Decimal(0), i.day, i.day)
        out[key] = GeneratorTotals(
            was.items + (not i.in_draft), was.total + (0 if i.in_draft else i.revenue),
            was.draft_items + i.in_draft, was.draft_total + (i.revenue if i.in_draft else 0),
            min(was.first_day, i.day), max(was.last_day, i.day))
    return out
