"""What the clerk sees: drafts with their recomputed totals, and invoices. Plain dicts with
Decimals and dates; the HTTP layer prints them."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from affbill_billing.adapters import billing_queries as queries
from affbill_billing.adapters.invoices import drafts as repo
from affbill_billing.domain.approvals import counted_approvers
from affbill_billing.domain.customers import Side
from affbill_billing.domain.drafts import Draft
from affbill_billing.domain.invoicing import basis, document_type
from affbill_billing.service_layer.errors import NotFound
from affbill_contracts.invoices import DocumentType
from affbill_contracts.wire import rounded


def age_days(created_at: dt.datetime) -> int:
    return (dt.datetime.now(dt.UTC) - created_at).days


def approvals(approved_by: list[str], required: int, creator: str | None = None
              ) -> dict[str, Any]:
    """The approvals that count (four eyes: never the creator's)."""
    counted = counted_approvers(creator, approved_by)
    return {"required": required, "count": len(counted), "by": counted,
            "complete": len(counted) >= required}


def _money(value: Decimal | None, currency: str) -> str | None:
    """An amount for people: in the currency's minor unit (stored totals keep 10 digits)."""
    return None if value is None else rounded(value, currency)


def lines_and_totals(draft: Draft) -> dict[str, Any]:
    """Lines, VAT and totals; amounts as strings in the currency's minor unit (JPY 1234,
    EUR 1234.00), unit prices and quantities as entered."""
    cur, t = draft.presets.currency, draft.totals()

    def money(value: Decimal) -> str:
        return rounded(value, cur)

    return {
        "currency": cur, "document_type": document_type(basis(t), Side(draft.presets.side)),
        "lines": [{**repo.line_json(d), "net_amount": money(d.line.net(cur))}
                  for d in draft.lines],
        "tax_breakdown": [{"vat_category": g.vat.category, "vat_rate": g.vat.rate,
                           "taxable_amount": money(g.taxable), "tax_amount": money(g.tax),
                           "exemption_reason": g.vat.exemption_reason} for g in t.groups],
        "allowances_charges": [{"charge": a.charge, "amount": money(a.amount),
                                "vat_category": a.vat.category, "vat_rate": a.vat.rate,
                                "reason": a.reason, "reason_code": a.reason_code}
                               for a in draft.adjustments],
        "totals": {"net": money(t.net), "tax": money(t.tax), "gross": money(t.gross),
                   **({"allowances": money(t.allowances), "charges": money(t.charges)}
                      if draft.adjustments else {})},
        "items": len(draft.items),
    }


async def draft(engine: AsyncEngine, draft_id: uuid.UUID, required: int) -> dict[str, Any]:
    row = await queries.draft(engine, draft_id)
    if row is None:
        raise NotFound(f"No draft {draft_id}")
    if row["status"] != "draft":
        raise NotFound(f"{draft_id} is no longer a draft ({row['status']}): "
                       f"GET /invoices/{draft_id}")
    async with engine.connect() as conn:
        found = await repo.lock(conn, draft_id, for_update=False)
    if found is None or found[1] is None:
        raise NotFound(f"No draft {draft_id}")
    meta, current = found  # version and content from the same row
    return {"draft_id": draft_id, "customer_id": row["customer_id"],
            "customer_name": row["customer_name"], "status": "draft", "version": meta.version,
            "created_by": row["created_by"], "created_at": row["created_at"],
            "updated_at": row["updated_at"], "age_days": age_days(row["created_at"]),
            "run_id": row["run_id"], "presets": asdict(current.presets),
            **lines_and_totals(current), "approvals": approvals(row["approved_by"], required,
                                                          row["created_by"])}


async def drafts(engine: AsyncEngine, customer_id: str | None, limit: int, offset: int,
                 required: int) -> tuple[list[dict[str, Any]], int]:
    rows = await queries.drafts(engine, customer_id, limit, offset)
    items = [{**{k: v for k, v in r.items() if k not in ("total", "approved_by")},
              "totals": {k: _money(r[f"{k}_total"], r["currency"]) for k in ("net", "tax",
                                                                              "gross")},
              "age_days": age_days(r["created_at"]),
              "approvals": approvals(r["approved_by"], required, r["created_by"])}
             for r in rows]
    for item in items:
        for key in ("net_total", "tax_total", "gross_total"):
            del item[key]
    return items, rows[0]["total"] if rows else 0


async def invoice(engine: AsyncEngine, invoice_id: uuid.UUID) -> dict[str, Any]:
    row = await queries.invoice(engine, invoice_id)
    if row is None or row["status"] == "draft":
        raise NotFound(f"No invoice {invoice_id}" + (
            f": it is a draft, GET /drafts/{invoice_id}" if row else ""))
    view = {k: v for k, v in row.items() if k not in ("snapshot", "net_total", "tax_total",
                                                      "gross_total", "cancellation_id",
                                                      "cancellation_number")}
    view["kind"] = "cancellation" if row["cancels_invoice_id"] else (
        "credit_note" if row["document_type"] == DocumentType.CREDIT_NOTE else "invoice")
    view["totals"] = {k: _money(row[f"{k}_total"], row["currency"])
                      for k in ("net", "tax", "gross")}
    view["cancellation"] = row["cancellation_id"] and {
        "invoice_id": row["cancellation_id"], "number": row["cancellation_number"]}
    view["document"] = row["snapshot"]
    return view
