"""Following restatements: open and invoiced amounts always add up to the source.

A source stat key's amount lives in one or more billable items: the original
and, after it was invoiced, adjustment items. When the source changes, the open
item absorbs the difference; when none is open, a new adjustment item carries
it. An invoiced item is never edited.

`follow_source` is the change ingest makes for one (customer, offer, day, currency) —
the readable twin of the ingest recompute (adapters' SQL); the billable-items fold
(domain/billable_items.py) applies it and tests/integration/billing/test_billing_oracle.py
checks the database against that fold.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, replace
from decimal import Decimal


@dataclass(frozen=True)
class ItemAmount:
    revenue: Decimal
    units: int
    invoiced: bool
    invoice_id: Hashable | None = None  # the invoice that billed it
    invoiced_at: int = 0  # when it was invoiced: the latest names the invoice to adjust


@dataclass(frozen=True)
class UpdateOpen:
    index: int
    revenue: Decimal
    units: int


@dataclass(frozen=True)
class DropOpen(UpdateOpen):
    """An update to nothing: the open item goes (the database deletes its row)."""


@dataclass(frozen=True)
class NewAdjustment:
    revenue: Decimal
    units: int
    adjusts: Hashable | None = None  # the invoice that billed this key last


def follow_source(items: list[ItemAmount], revenue: Decimal, units: int
                  ) -> UpdateOpen | NewAdjustment | None:
    """The change ingest makes to one key's items when its source says revenue and units:
    :func:`restate`, where an open item left with nothing is dropped (whatever it held)
    and a new adjustment names the invoice that billed the key last."""
    open_index = next((n for n, i in enumerate(items) if not i.invoiced), None)
    if open_index is not None and open_item(revenue, units, items) is None:
        return DropOpen(open_index, Decimal(0), 0)
    change = restate(items, revenue, units)
    if isinstance(change, NewAdjustment):
        last = max((i for i in items if i.invoiced), key=lambda i: i.invoiced_at, default=None)
        return replace(change, adjusts=last.invoice_id if last else None)
    return change


def restate(items: list[ItemAmount], revenue: Decimal, units: int
            ) -> UpdateOpen | NewAdjustment | None:
    """What to do so that the items add up to the source's new revenue and units.

    The change that turns the items into :func:`open_item`'s answer; the database applies
    an UpdateOpen to nothing (0, 0) as the removal of the open item."""
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


def open_item(source_revenue: Decimal, source_units: int, items: list[ItemAmount]
              ) -> tuple[Decimal, int] | None:
    """What the open item of a (customer, offer, day, currency) holds after the source says
    revenue and units: the source minus what is invoiced; None, no open item, when that is
    nothing. Python twin of ``adapters/sql/ingest_recompute.sql``; :func:`restate` is the
    same rule as a change (an UpdateOpen to zero is the removal of the open item)."""
    revenue = source_revenue - sum((i.revenue for i in items if i.invoiced), Decimal(0))
    units = source_units - sum(i.units for i in items if i.invoiced)
    return None if (revenue, units) == (Decimal(0), 0) else (revenue, units)
