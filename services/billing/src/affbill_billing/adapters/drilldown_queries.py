"""Read side of the drill-down: an issued document's lines (from its snapshot), the billable
items they billed, and the stat rows behind an item."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

DOCUMENT = """
select invoice_id, number, status, currency, customer_id, snapshot
from invoices where invoice_id = :id and status <> 'draft'
"""
ITEMS = """
select item_id, customer_id, offer_id, offer_name, day, currency, units, revenue, state,
       invoice_id, draft_id, adjusts_invoice_id, updated_at, count(*) over () as total
from billable_items where item_id = any(:ids)
order by day, offer_id, currency, item_id limit :limit offset :offset
"""
BILLED_BY = "select item_id from billable_items where invoice_id = :id order by item_id"
ITEM = """
select item_id, customer_id, offer_id, offer_name, day, currency, units, revenue, state,
       invoice_id, draft_id from billable_items where item_id = :id
"""
STAT_ROWS = """
select s.stat_key, s.customer_id, s.offer_id, s.offer_name, s.day, s.currency, s.units,
       s.revenue, s.updated_at
from stat_rows s join billable_items b
  on (s.customer_id, s.offer_id, s.day, s.currency) = (b.customer_id, b.offer_id, b.day, b.currency)
where b.item_id = :id order by s.stat_key
"""


async def _rows(engine: AsyncEngine, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    async with engine.connect() as conn:
        return [dict(r) for r in (await conn.execute(text(sql), params)).mappings()]


async def document(engine: AsyncEngine, invoice_id: uuid.UUID) -> dict[str, Any] | None:
    found = await _rows(engine, DOCUMENT, {"id": invoice_id})
    return found[0] if found else None


async def items(engine: AsyncEngine, ids: list[uuid.UUID], limit: int, offset: int
                ) -> list[dict[str, Any]]:
    return await _rows(engine, ITEMS, {"ids": ids, "limit": limit, "offset": offset})


async def billed_by(engine: AsyncEngine, invoice_id: uuid.UUID) -> list[uuid.UUID]:
    """Items whose row names the invoice (documents issued before lines kept their ids)."""
    return [r["item_id"] for r in await _rows(engine, BILLED_BY, {"id": invoice_id})]


async def item(engine: AsyncEngine, item_id: uuid.UUID) -> dict[str, Any] | None:
    found = await _rows(engine, ITEM, {"id": item_id})
    return found[0] if found else None


async def stat_rows(engine: AsyncEngine, item_id: uuid.UUID) -> list[dict[str, Any]]:
    return await _rows(engine, STAT_ROWS, {"id": item_id})
