"""A run's documents: written 'pending' with their items invoiced, numbered later in batches.

A pending document and the invoicing of its items are one statement, so neither exists
without the other; numbering locks the series' counter row once per batch (gapless).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import asyncpg

from affbill_billing.adapters.sql import load
from affbill_billing.domain.fingerprint import fingerprint
from affbill_billing.domain.grouping import Item
from affbill_billing.domain.invoicing import InvoicePlan
from affbill_billing.domain.runs import ItemsChanged, RunContext
from affbill_contracts.invoices import InvoiceDocument

ITEMS_CHANGED = "AF001"  # the SQLSTATE require() fails with (adapters/sql/require.sql)
DEADLOCK = "40P01"
INVOICE_ITEMS = """
with pending as (
    insert into invoices (invoice_id, customer_id, series, status, document_type, currency,
        issue_date, due_date, period_start, period_end, net_total, tax_total, gross_total,
        snapshot, run_id)
    values ($1, $2, $3, 'pending', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14))
update billable_items set state = 'invoiced', invoice_id = $1, updated_at = now()
where item_id = any($15::uuid[])
"""
# A pending document needs no flush to disk of its own: lost in a database crash, it
# takes its items' invoicing with it (one transaction), the run resumes and bills them
# again, and nothing left Postgres yet. The numbering transaction flushes synchronously,
# and the WAL is one sequence: every pending document it numbers is on disk before its
# number and its event are.
PENDING_WITHOUT_FLUSH = "set synchronous_commit to off"
PENDING = """
select invoice_id, customer_id, series, currency, issue_date, gross_total
from invoices where run_id = $1 and status = 'pending'
order by created_at, invoice_id limit $2 for update skip locked
"""
SNAPSHOTS = "select invoice_id, snapshot::text from invoices where invoice_id = any($1::uuid[])"
# the stored snapshot gets its number in place: no second copy of it travels to Postgres
ISSUE = """
update invoices i set number = n.number, status = 'issued', issued_at = now(),
    snapshot = jsonb_set(jsonb_set(i.snapshot, '{number}', to_jsonb(n.number)),
                         '{payment,reference}', to_jsonb(n.number))
from unnest($1::uuid[], $2::text[]) as n(invoice_id, number)
where i.invoice_id = n.invoice_id
"""


@dataclass(frozen=True)
class PendingDocument:
    """A document to write: its plan, type, series and unnumbered snapshot."""

    invoice_id: uuid.UUID
    customer_id: str
    series: str
    document_type: str
    plan: InvoicePlan
    snapshot: InvoiceDocument

    def values(self, run_id: uuid.UUID) -> tuple[Any, ...]:
        p = self.plan
        return (self.invoice_id, self.customer_id, self.series, self.document_type, p.currency,
                p.issue_date, p.due_date, p.period_start, p.period_end, p.totals.net,
                p.totals.tax, p.totals.gross, self.snapshot.model_dump_json(), run_id)


async def insert(conn: Any, document: PendingDocument, ctx: RunContext,
                 items: Sequence[Item]) -> None:
    """Write the pending document and invoice its (locked) items, in the caller's
    transaction."""
    await conn.execute(INVOICE_ITEMS, *document.values(ctx.run_id), [i.item_id for i in items])


async def insert_as_read(conn: Any, document: PendingDocument, ctx: RunContext,
                         items: Sequence[Item], last_day: dt.date) -> None:
    """One statement, its own transaction: invoice the customer's open items and write the
    document, only if they are the items read (adapters/sql/invoice_items_as_read.sql).
    Raises ItemsChanged when they are not or when Postgres broke a deadlock with it: nothing
    was written either way. Only items up to ``last_day`` are the customer's."""
    try:
        await conn.execute(load("invoice_items_as_read.sql"), *document.values(ctx.run_id),
                           last_day, fingerprint(items), ctx.currency)
    except asyncpg.PostgresError as exc:
        if exc.sqlstate in (ITEMS_CHANGED, DEADLOCK):
            raise ItemsChanged(str(exc)) from exc
        raise


@dataclass(frozen=True)
class Pending:
    invoice_id: uuid.UUID
    customer_id: str
    series: str
    currency: str
    issue_date: Any
    gross_total: Decimal


async def lock_pending(session: Any, run_id: uuid.UUID, limit: int) -> tuple[Any, list[Pending]]:
    """Lock up to ``limit`` of the run's pending documents (SKIP LOCKED: another process
    numbers those it holds); begins the transaction, returns its asyncpg connection."""
    connection = await session.connection()
    rows = (await connection.exec_driver_sql(PENDING, (run_id, limit))).all()
    raw = (await connection.get_raw_connection()).driver_connection
    return raw, [Pending(*r) for r in rows]


async def snapshots(conn: Any, invoice_ids: list[uuid.UUID]) -> dict[uuid.UUID, InvoiceDocument]:
    return {r[0]: InvoiceDocument.model_validate_json(r[1])
            for r in await conn.fetch(SNAPSHOTS, invoice_ids)}


async def mark_issued(conn: Any, invoice_ids: list[uuid.UUID], numbers: list[str]) -> None:
    """The documents get their numbers (in their stored snapshots too) and are issued."""
    await conn.execute(ISSUE, invoice_ids, numbers)
