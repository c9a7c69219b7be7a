"""Read side of the manual generator: customers, drafts and invoices as the clerk sees them."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

CUSTOMERS = """
select c.customer_id, c.name, c.kind, c.status, c.account_manager_id, c.default_currency,
       p.billing_name, p.billing_currency, p.drafts_by_default, count(*) over () as total
from customers c left join billing_profiles p using (customer_id)
where (cast(:q as text) is null or c.customer_id = :q or c.name ilike '%' || :q || '%'
       or p.billing_name ilike '%' || :q || '%')
  and (cast(:am as text) is null or c.account_manager_id = :am)
order by c.name, c.customer_id limit :limit offset :offset
"""
CUSTOMER_SUMMARY = """
select b.currency, count(*) filter (where b.draft_id is null) as open_items,
       coalesce(sum(b.revenue) filter (where b.draft_id is null), 0) as open_total,
       count(*) filter (where b.draft_id is not null) as items_in_drafts
from billable_items b where b.customer_id = :c and b.state = 'open'
group by b.currency order by b.currency
"""
APPROVALS = """
(select coalesce(array_agg(a.approved_by order by a.approved_at, a.approved_by), '{}')
 from draft_approvals a where a.invoice_id = i.invoice_id and a.version = i.version)
"""
DRAFTS = f"""
select i.invoice_id as draft_id, i.customer_id, c.name as customer_name, i.currency,
       i.document_type, i.net_total, i.tax_total, i.gross_total, i.version, i.created_by,
       i.created_at, i.run_id, jsonb_array_length(i.lines) as lines,
       jsonb_array_length(i.reserved) as items, {APPROVALS} as approved_by,
       count(*) over () as total
from invoices i left join customers c using (customer_id)
where i.status = 'draft' and (cast(:customer as text) is null or i.customer_id = :customer)
order by i.created_at, i.invoice_id limit :limit offset :offset
"""
DRAFT = f"""
select i.invoice_id as draft_id, i.customer_id, c.name as customer_name, i.status, i.version,
       i.created_by, i.created_at, i.updated_at, i.run_id, {APPROVALS} as approved_by
from invoices i left join customers c using (customer_id) where i.invoice_id = :id
"""
INVOICE = """
select i.invoice_id, i.number, i.status, i.document_type, i.customer_id, i.currency,
       i.issue_date, i.due_date, i.period_start, i.period_end, i.net_total, i.tax_total,
       i.gross_total, i.issued_at, i.issued_by, i.run_id, i.job_id, i.cancels_invoice_id,
       i.cancelled_at, i.cancelled_by, x.invoice_id as cancellation_id,
       x.number as cancellation_number, i.snapshot
from invoices i left join invoices x on x.cancels_invoice_id = i.invoice_id
where i.invoice_id = :id
"""


async def _rows(engine: AsyncEngine, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    async with engine.connect() as conn:
        return [dict(r) for r in (await conn.execute(text(sql), params)).mappings()]


async def customers(engine: AsyncEngine, q: str | None, account_manager: str | None,
                    limit: int, offset: int) -> list[dict[str, Any]]:
    return await _rows(engine, CUSTOMERS, {"q": q, "am": account_manager, "limit": limit,
                                           "offset": offset})


async def customer(engine: AsyncEngine, customer_id: str) -> dict[str, Any] | None:
    found = await _rows(engine, "select * from customers where customer_id = :c",
                        {"c": customer_id})
    if not found:
        return None
    profile = await _rows(engine, "select * from billing_profiles where customer_id = :c",
                          {"c": customer_id})
    drafts = await _rows(engine, "select count(*) as n from invoices where customer_id = :c "
                         "and status = 'draft'", {"c": customer_id})
    return {**found[0], "profile": profile[0] if profile else None, "drafts": drafts[0]["n"],
            "open": await _rows(engine, CUSTOMER_SUMMARY, {"c": customer_id})}


async def drafts(engine: AsyncEngine, customer_id: str | None, limit: int, offset: int
                 ) -> list[dict[str, Any]]:
    return await _rows(engine, DRAFTS, {"customer": customer_id, "limit": limit,
                                        "offset": offset})


async def draft(engine: AsyncEngine, draft_id: uuid.UUID) -> dict[str, Any] | None:
    found = await _rows(engine, DRAFT, {"id": draft_id})
    return found[0] if found else None


async def invoice(engine: AsyncEngine, invoice_id: uuid.UUID) -> dict[str, Any] | None:
    found = await _rows(engine, INVOICE, {"id": invoice_id})
    return found[0] if found else None
