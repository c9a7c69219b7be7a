"""The billable items as the rules make them: a pure fold over what happens to them.

The readable twin of billing's set-based SQL on `billable_items`:
- `apply_stat_rows`: one ingest transaction (the ingest recompute: upsert the stat rows,
  TARGETS, APPLY_TARGETS, DROP_EMPTY) — the last word per stat key wins, and every
  (customer, offer, day, currency) the batch touched follows its source
  (domain/restatements.follow_source);
- `selected_by_run`: the items a run bills (OPEN_ITEMS, LOCK_ITEMS);
- `invoice`, `reserve`, `release`: a run or Create invoicing items, drafts reserving and
  freeing them;
- `return_items`: a cancellation giving its items back (RETURN_ITEMS): an item whose key
  has an open item again merges into it, and an open item left with nothing that no
  draft holds goes.

Items are named by `ref`, this fold's own counter (the database names them by uuid).
tests/integration/billing/test_billing_oracle.py drives both and compares them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Hashable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from affbill_billing.domain.restatements import (
    DropOpen,
    ItemAmount,
    NewAdjustment,
    UpdateOpen,
    follow_source,
)

Key = tuple[str, str, dt.date, str]  # customer, offer, day, currency: one open item at most


@dataclass(frozen=True)
class StatRow:
    """A stat row as billing stores it; a removed row is stored as zero."""

    stat_key: str
    customer_id: str
    offer_id: str
    offer_name: str
    day: dt.date
    currency: str
    units: int
    revenue: Decimal

    @property
    def key(self) -> Key:
        return (self.customer_id, self.offer_id, self.day, self.currency)


@dataclass
class BillableItem:
    ref: int
    customer_id: str
    offer_id: str
    offer_name: str
    day: dt.date
    currency: str
    units: int
    revenue: Decimal
    invoice_id: Hashable | None = None  # set: invoiced (state 'invoiced')
    draft_id: Hashable | None = None  # set: open but reserved by that draft
    adjusts_invoice_id: Hashable | None = None
    invoiced_at: int = 0

    @property
    def key(self) -> Key:
        return (self.customer_id, self.offer_id, self.day, self.currency)

    @property
    def is_open(self) -> bool:
        return self.invoice_id is None

    @property
    def in_draft(self) -> bool:
        return self.draft_id is not None


class BillableItems:
    """All customers' billable items and the stat rows they come from."""

    def __init__(self) -> None:
        self.items: dict[int, BillableItem] = {}
        self.stat_rows: dict[tuple[Key, str], StatRow] = {}
        self._refs = 0
        self._clock = 0  # orders invoicing, as updated_at does in the database

    def apply_stat_rows(self, rows: Iterable[StatRow]) -> None:
        """One ingest transaction: the last word per stat key wins, each key touched is
        restated so that open + invoiced = the source."""
        latest = {r.stat_key: r for r in rows}
        for r in latest.values():
            self.stat_rows[(r.key, r.stat_key)] = r
        for key in dict.fromkeys(r.key for r in latest.values()):
            self._restate(key)

    def source(self, key: Key) -> tuple[Decimal, int, str]:
        """The key's revenue, units and offer name (the greatest) in the source."""
        rows = [r for (k, _), r in self.stat_rows.items() if k == key]
        return (sum((r.revenue for r in rows), Decimal(0)), sum(r.units for r in rows),
                max(r.offer_name for r in rows))

    def of_key(self, key: Key) -> list[BillableItem]:
        return [i for i in self.items.values() if i.key == key]

    def _restate(self, key: Key) -> None:
        items = self.of_key(key)
        revenue, units, name = self.source(key)
        change = follow_source([ItemAmount(i.revenue, i.units, not i.is_open, i.invoice_id,
                                     i.invoiced_at) for i in items], revenue, units)
        if isinstance(change, DropOpen):
            del self.items[items[change.index].ref]
        elif isinstance(change, UpdateOpen):
            items[change.index].revenue, items[change.index].units = change.revenue, change.units
        elif isinstance(change, NewAdjustment):
            self._refs += 1
            self.items[self._refs] = BillableItem(
                self._refs, *key[:2], name, *key[2:], change.units, change.revenue,
                adjusts_invoice_id=change.adjusts)
        for item in self.of_key(key):
            if item.is_open:
                item.offer_name = name

    def selected_by_run(self, customer_id: str, refs: Collection[int] | None,
                        period_end: dt.date | None) -> list[BillableItem]:
        """What a run bills of a customer: its open items in no draft (only `refs` when the
        run chose single items of it), up to the run's last day."""
        return [i for i in self.items.values()
                if i.customer_id == customer_id and i.is_open and not i.in_draft
                and (refs is None or i.ref in refs)
                and (period_end is None or i.day <= period_end)]

    def invoice(self, refs: Iterable[int], invoice_id: Hashable) -> None:
        """Items leave the open state onto an invoice (a run, or Create for a draft)."""
        self._clock += 1
        for ref in refs:
            item = self.items[ref]
            assert item.is_open, f"item {ref} invoiced twice"
            item.invoice_id, item.draft_id, item.invoiced_at = invoice_id, None, self._clock

    def reserve(self, refs: Iterable[int], draft_id: Hashable) -> None:
        for ref in refs:
            self.items[ref].draft_id = draft_id

    def release(self, draft_id: Hashable) -> None:
        """A discarded draft's items: open and in no draft again."""
        for item in self.items.values():
            if item.draft_id == draft_id:
                item.draft_id = None

    def return_items(self, invoice_id: Hashable, customer_id: str) -> None:
        """A cancelled invoice's items come back open; where the key has an open item
        again (a restatement adjustment) they merge into it."""
        returned = [i for i in self.items.values() if i.invoice_id == invoice_id]
        for item in returned:
            into = next((o for o in self.of_key(item.key) if o.is_open), None)
            if into is None:
                item.invoice_id = None
                continue
            into.revenue += item.revenue
            into.units += item.units
            del self.items[item.ref]
        for item in list(self.items.values()):
            if (item.customer_id == customer_id and item.is_open and not item.in_draft
                    and item.revenue == 0 and item.units == 0):
                del self.items[item.ref]
