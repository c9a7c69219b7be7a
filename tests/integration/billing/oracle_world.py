"""The oracle of test_billing_oracle: billing as the pure twins say it is, compared with the
database row by row.

The twins (affbill_billing.domain: billable_items, restatements, run_documents,
generator_totals, invoicing, cancellation) hold the rules; this module only keeps
what they need between steps — profiles, documents, the database's names for the items
the fold created — and reads the real tables back with plain SQL through asyncpg.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Hashable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import orjson

from affbill_billing.domain.billable_items import BillableItem, BillableItems, Key
from affbill_billing.domain.dates import InvoiceDateRule
from affbill_billing.domain.generator_totals import GeneratorTotals, OpenItem, fold
from affbill_billing.domain.grouping import Item, LineGrouping
from affbill_billing.domain.invoicing import Terms, plan_invoice
from affbill_billing.domain.profiles import TaxTreatment

TODAY = dt.date(2026, 11, 2)


@dataclass
class Profile:
    tax_treatment: TaxTreatment | None  # None: an EU buyer without VAT id, not billed
    threshold_currency: str | None
    threshold: Decimal | None = None
    drafts_by_default: bool = False
    line_grouping: LineGrouping = LineGrouping.OFFER_PER_PERIOD

    def terms(self, domestic_rate: Decimal) -> Terms:
        # a run never bills an undecided treatment; a draft of such a customer carries the
        # seller's VAT until its presets say more, and Create refuses it
        return Terms(self.tax_treatment or TaxTreatment.DOMESTIC, domestic_rate, self.line_grouping,
                     InvoiceDateRule.TODAY, 14)


@dataclass(frozen=True)
class Amounts:
    net: Decimal
    tax: Decimal
    gross: Decimal

    def negated(self) -> Amounts:
        return Amounts(-self.net, -self.tax, -self.gross)


@dataclass
class Document:
    """An invoices row as the oracle expects it: a draft, an issued or cancelled invoice,
    or a cancellation document."""

    invoice_id: uuid.UUID
    customer_id: str
    currency: str
    status: str  # draft, issued, cancelled
    amounts: Amounts
    document_type: str
    cancels: uuid.UUID | None = None
    reserved: dict[int, tuple[Decimal, int]] = field(default_factory=dict)  # drafts


@dataclass
class World:
    """Billing as the twins make it, plus the database's names for what they created."""

    domestic_rate: Decimal
    items: BillableItems = field(default_factory=BillableItems)
    profiles: dict[str, Profile] = field(default_factory=dict)
    documents: dict[uuid.UUID, Document] = field(default_factory=dict)
    discarded: set[uuid.UUID] = field(default_factory=set)
    item_ids: dict[int, uuid.UUID] = field(default_factory=dict)  # fold ref → database id
    positions: dict[int, int] = field(default_factory=dict)  # partition → last applied offset
    rejected: int = 0

    def item(self, i: BillableItem) -> Item:
        """The item as a run or a draft bills it; one the database made in this very step
        (a batch during a run) has no known id yet and gets a stand-in: no total depends
        on it."""
        item_id = self.item_ids.get(i.ref) or uuid.UUID(int=i.ref)
        return Item(item_id, i.offer_id, i.offer_name, i.day, i.currency, i.units,
                    i.revenue)

    def amounts_of(self, items: list[BillableItem], currency: str, profile: Profile) -> Amounts:
        """Totals of the lines a run, a draft or Create builds from these items."""
        plan = plan_invoice([self.item(i) for i in items], currency,
                            profile.terms(self.domestic_rate), TODAY)
        return Amounts(plan.totals.net, plan.totals.tax, plan.totals.gross)

    def restated(self, draft: Document) -> bool:
        """Create refuses a draft whose reserved items moved since they were reserved."""
        for ref, amounts in draft.reserved.items():
            now = self.items.items.get(ref)
            if now is None or not now.is_open or (now.revenue, now.units) != amounts:
                return True
        return False


# ---------------------------------------------------------------- the database's side

ITEMS = """select item_id, customer_id, offer_id, offer_name, day, currency, units, revenue,
                  state, invoice_id, draft_id, adjusts_invoice_id from billable_items"""
INVOICES = """select invoice_id, customer_id, status, document_type, currency, net_total,
                     tax_total, gross_total, cancels_invoice_id, number, snapshot::text
              from invoices"""
TOTALS = """select customer_id, currency, items, total, draft_items, draft_total, first_day,
                   last_day from generator_totals"""
STATS = "select stat_key, customer_id, offer_id, offer_name, day, currency, units, revenue " \
        "from stat_rows"


def _canonical(key: Key, invoice_id: Hashable | None) -> tuple[Any, ...]:
    """An item's name both sides share: its key and its invoice (one open item per key,
    one item per key on an invoice)."""
    return (*key, invoice_id)


async def compare(conn: Any, world: World) -> None:
    """Every billable item, invoice, generator line and stat row equals the oracle's."""
    await _compare_items(conn, world)
    await _compare_documents(conn, world)
    kept = {(r[0], r[1]): GeneratorTotals(*r[2:]) for r in await conn.fetch(TOTALS)}
    assert kept == fold(OpenItem(i.customer_id, i.currency, i.day, i.revenue, i.in_draft)
                        for i in world.items.items.values() if i.is_open), "generator totals"
    stored = {(r[1], r[2], r[4], r[5], r[0]): (r[3], r[6], r[7]) for r in await conn.fetch(STATS)}
    assert stored == {(*k, s): (r.offer_name, r.units, r.revenue)
                      for (k, s), r in world.items.stat_rows.items()}, "stat rows"
    assert await conn.fetchval("select count(*) from rejected_messages") == world.rejected


async def _compare_items(conn: Any, world: World) -> None:
    rows = {_canonical((r[1], r[2], r[4], r[5]), r[9]): r for r in await conn.fetch(ITEMS)}
    expected = {_canonical(i.key, i.invoice_id): i for i in world.items.items.values()}
    assert sorted(map(str, rows)) == sorted(map(str, expected)), "which billable items exist"
    by_id = {db_id: ref for ref, db_id in world.item_ids.items()}
    for name, item in expected.items():
        r = rows[name]
        assert (r[3], r[6], r[7], r[8], r[10], r[11]) == (
            item.offer_name, item.units, item.revenue, "open" if item.is_open else "invoiced",
            item.draft_id, item.adjusts_invoice_id), f"billable item {name}"
        known = world.item_ids.get(item.ref)
        if known is None:  # an item the fold created in this step: learn its database id
            assert r[0] not in by_id, f"{name}: the database kept item {by_id.get(r[0])}'s row"
            world.item_ids[item.ref] = r[0]
        else:
            assert r[0] == known, f"{name}: the database replaced the item's row"
    for ref in set(world.item_ids) - set(world.items.items):
        del world.item_ids[ref]


async def _compare_documents(conn: Any, world: World) -> None:
    rows = {r[0]: r for r in await conn.fetch(INVOICES)}
    assert set(rows) == set(world.documents), "which invoices and drafts exist"
    billed: dict[uuid.UUID, uuid.UUID] = {}
    for invoice_id, doc in world.documents.items():
        r = rows[invoice_id]
        assert (r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8]) == (
            doc.customer_id, doc.status, doc.document_type, doc.currency, doc.amounts.net,
            doc.amounts.tax, doc.amounts.gross, doc.cancels), f"invoice {invoice_id}"
        if doc.status == "draft":
            assert r[9] is None, "a draft has no number"
            continue
        snapshot = orjson.loads(r[10])
        nets = [Decimal(line["net_amount"]) for line in snapshot["lines"]]
        assert sum(nets, Decimal(0)) == doc.amounts.net, "net = the sum of the rounded lines"
        assert Decimal(snapshot["totals"]["grand_total"]) == doc.amounts.gross
        if doc.status == "issued" and doc.cancels is None:
            on_lines = [uuid.UUID(i) for line in snapshot["lines"] for i in line["item_ids"]]
            for item_id in on_lines:
                assert item_id not in billed, f"item {item_id} on two issued invoices"
                billed[item_id] = invoice_id
            assert sorted(on_lines) == sorted(
                world.item_ids[i.ref] for i in world.items.items.values()
                if i.invoice_id == invoice_id), f"items on invoice {invoice_id}"
    counters = sorted(int(r[9].split("-")[2]) for r in rows.values() if r[9] is not None)
    assert counters == list(range(1, len(counters) + 1)), f"numbers gapless: {counters}"


def issued(doc: Document) -> Document:
    return replace(doc, status="issued", reserved={})
