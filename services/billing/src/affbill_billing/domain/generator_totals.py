"""What the generator list shows per customer and currency, as a function of the items.

The readable twin of the statement-level triggers of migration billing_0009, which keep
the table `generator_totals` by deltas: for each (customer, currency) with open items,
the open items in no draft and their sum, the items reserved by drafts and their sum,
and the first and last day of all its open items. A pair without open items has no row.
tests/integration/billing/test_billing_oracle.py compares the table with this function
after every step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol


class OpenOrNot(Protocol):
    """A billable item as far as the generator cares."""

    @property
    def customer_id(self) -> str: ...
    @property
    def currency(self) -> str: ...
    @property
    def day(self) -> dt.date: ...
    @property
    def revenue(self) -> Decimal: ...
    @property
    def is_open(self) -> bool: ...
    @property
    def in_draft(self) -> bool: ...


@dataclass(frozen=True)
class GeneratorTotals:
    items: int  # open, in no draft
    total: Decimal
    draft_items: int  # open, reserved by a draft
    draft_total: Decimal
    first_day: dt.date  # of all open items, drafts included
    last_day: dt.date


def generator_totals(items: Iterable[OpenOrNot]) -> dict[tuple[str, str], GeneratorTotals]:
    """Per (customer, currency) with at least one open item: its generator line's totals."""
    groups: dict[tuple[str, str], list[OpenOrNot]] = {}
    for item in items:
        if item.is_open:
            groups.setdefault((item.customer_id, item.currency), []).append(item)
    return {key: _totals(group) for key, group in sorted(groups.items())}


def _totals(group: list[OpenOrNot]) -> GeneratorTotals:
    free = [i for i in group if not i.in_draft]
    reserved = [i for i in group if i.in_draft]
    days = [i.day for i in group]
    return GeneratorTotals(len(free), sum((i.revenue for i in free), Decimal(0)),
                           len(reserved), sum((i.revenue for i in reserved), Decimal(0)),
                           min(days), max(days))
