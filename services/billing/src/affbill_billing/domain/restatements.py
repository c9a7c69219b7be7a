"""Following restatements: open and invoiced amounts always add up to the source.

A source stat key's amount lives in one or more billable items: the original
and, after it was invoiced, adjustment items. When the source changes, the open
item absorbs the difference; when none is open, a new adjustment item carries
it. An invoiced item is never edited.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class ItemAmount:
    revenue: Decimal
    units: int
    invoiced: bool


@dataclass(frozen=True)
class UpdateOpen:
    index: int
    revenue: Decimal
    units: int


@dataclass(frozen=True)
class NewAdjustment:
    revenue: Decimal
    units: int


def restate(items: list[ItemAmount], revenue: Decimal, units: int
            ) -> UpdateOpen | NewAdjustment | None:
    """What to do so that the items add up to the source's new revenue and units."""
    open_index = next((i for i, item in enumerate(items) if not item.invoiced), None)
    invoiced_revenue = sum((i.revenue for i in items if i.invoiced), Decimal(0))
    invoiced_units = sum(i.units for i in items if i.invoiced)
    if open_index is not None:
        target = (revenue - invoiced_revenue, units - invoiced_units)
        current = items[open_index]
        if (current.revenue, current.units) == target:
            return None
        return UpdateOpen(open_index, *target)
    diff = (revenue - invoiced_revenue, units - invoiced_units)
    if diff == (Decimal(0), 0):
        return None
    return NewAdjustment(*diff)
