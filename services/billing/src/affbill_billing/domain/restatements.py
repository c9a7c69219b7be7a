"""Following restatements: open and invoiced amounts always add up to the source.

A source stat key's amount lives in one or more billable items: the original
and, after it was invoiced, adjustment items. When the source changes, the open
item absorbs the difference; when none is open, a new adjustment item carries
it, linked to the invoice that billed the key last. An open item that would hold
nothing (no revenue, no units) is no item. An invoiced item is never edited.

This is the readable twin of ingest's set-based recompute (TARGETS, APPLY_TARGETS,
DROP_EMPTY); tests/integration/billing/test_billing_oracle.py checks that both agree.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
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


def restate(items: list[ItemAmount], revenue: Decimal, units: int
            ) -> UpdateOpen | NewAdjustment | None:
    """What to do so that the items add up to the source's new revenue and units."""
    open_index = next((i for i, item in enumerate(items) if not item.invoiced), None)
    invoiced = [i for i in items if i.invoiced]
    target = (revenue - sum((i.revenue for i in invoiced), Decimal(0)),
              units - sum(i.units for i in invoiced))
    empty = target == (Decimal(0), 0)
    if open_index is not None:
        if empty:
            return DropOpen(open_index, *target)
        current = items[open_index]
        if (current.revenue, current.units) == target:
            return None
        return UpdateOpen(open_index, *target)
    if empty:
        return None
    last = max(invoiced, key=lambda i: i.invoiced_at, default=None)
    return NewAdjustment(*target, adjusts=last.invoice_id if last else None)
