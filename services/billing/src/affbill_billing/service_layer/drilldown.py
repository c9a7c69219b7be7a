"""Drill-down of an issued document, as for a draft: its lines, the billable items each line
billed (the ids its snapshot keeps, so the link outlives the draft), and an item's stat rows.
Plain dicts; the HTTP layer prints them."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from affbill_billing.adapters import drilldown_queries as queries
from affbill_billing.service_layer.errors import NotFound


async def _document(engine: AsyncEngine, invoice_id: uuid.UUID) -> dict[str, Any]:
    found = await queries.document(engine, invoice_id)
    if found is None:
        raise NotFound(f"No issued document {invoice_id}")
    return found


def _line_items(snapshot: dict[str, Any]) -> dict[int, list[str]]:
    return {int(line["line_no"]): list(line.get("item_ids") or [])
            for line in snapshot.get("lines") or []}


async def invoice_lines(engine: AsyncEngine, invoice_id: uuid.UUID) -> dict[str, Any]:
    """The document's lines as issued, each with the number of items it billed."""
    doc = await _document(engine, invoice_id)
    snapshot = doc["snapshot"] or {}
    lines = [{**{k: v for k, v in line.items() if k != "item_ids"},
              "items": len(line.get("item_ids") or [])} for line in snapshot.get("lines") or []]
    return {"invoice_id": doc["invoice_id"], "number": doc["number"], "status": doc["status"],
            "currency": doc["currency"], "customer_id": doc["customer_id"], "items": lines,
            "total": len(lines)}


async def invoice_items(engine: AsyncEngine, invoice_id: uuid.UUID, line_no: int | None,
                        limit: int, offset: int) -> dict[str, Any]:
    """The billable items the document (or one of its lines) billed. An id its snapshot
    names but billing no longer stores (merged into an open item after a cancellation) is
    counted in `missing`."""
    doc = await _document(engine, invoice_id)
    per_line = _line_items(doc["snapshot"] or {})
    if line_no is not None and line_no not in per_line:
        raise NotFound(f"Document {doc['number'] or invoice_id} has no line {line_no}")
    named = per_line[line_no] if line_no is not None else [
        i for ids in per_line.values() for i in ids]
    ids = list(dict.fromkeys(uuid.UUID(str(i)) for i in named))
    if not ids and line_no is None:
        ids = await queries.billed_by(engine, invoice_id)
    rows = await queries.items(engine, ids, limit, offset)
    total = rows[0]["total"] if rows else 0
    stored = total if rows or offset == 0 else None
    return {"invoice_id": doc["invoice_id"], "number": doc["number"], "line_no": line_no,
            "items": [{k: v for k, v in r.items() if k != "total"} for r in rows],
            "total": total, "missing": len(ids) - stored if stored is not None else None,
            "limit": limit, "offset": offset}


async def item_stat_rows(engine: AsyncEngine, item_id: uuid.UUID) -> dict[str, Any]:
    """The adtracker's stat rows behind an item (one per affiliate, as last synced)."""
    found = await queries.item(engine, item_id)
    if found is None:
        raise NotFound(f"No billable item {item_id}")
    rows = await queries.stat_rows(engine, item_id)
    return {"item": found, "items": rows, "total": len(rows)}
