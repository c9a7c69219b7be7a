"""Payout files in SQL: the affiliates' issued credit notes an export may pay out, locked
for the exporting transaction, the files kept, and each credit note marked with its file
(so a concurrent export waits, then no longer sees it)."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from affbill_billing.domain.payout_files import FileKey, Payout
from affbill_billing.domain.seller_entities import CONFIGURED

# the 389s to pay: issued (a cancelled one is never paid), not in a file yet unless named
PAYABLE = text("""
select i.invoice_id, i.number, i.customer_id, i.currency, i.payout_file_id,
       cast(i.snapshot -> 'totals' ->> 'amount_due' as numeric) as amount,
       p.payout_method, p.bank_account, coalesce(p.seller_entity, :configured) as entity,
       coalesce(p.bank_account ->> 'account_holder', c.name, p.billing_name, i.customer_id)
           as payee
from invoices i
left join billing_profiles p on p.customer_id = i.customer_id
left join customers c on c.customer_id = i.customer_id
where i.document_type = '389' and i.status = 'issued'
  and (cast(:ids as uuid[]) is null or i.invoice_id = any(cast(:ids as uuid[])))
  and (cast(:ids as uuid[]) is not null or i.payout_file_id is null)
  and (cast(:customers as text[]) is null or i.customer_id = any(cast(:customers as text[])))
  and (cast(:entity as text) is null or coalesce(p.seller_entity, :configured) = :entity)
order by i.number
for update of i""")

INSERT_FILE = text("""
insert into payout_files (file_id, job_id, entity, format, currency, filename, content, sha256,
    credit_notes, payments, total, created_by, created_at)
values (:id, :job, :entity, :format, :currency, :filename, :content, :sha, cast(:notes as jsonb),
        :payments, :total, :by, :at)""")

MARK = text("""
update invoices set payout_file_id = :file, payout_exported_at = :at, payout_exported_by = :by
where invoice_id = any(:ids)""")


def _payout(row: Any) -> Payout:
    bank = row.bank_account or {}
    return Payout(row.invoice_id, row.number, row.customer_id, row.payee, row.entity,
                  row.currency, Decimal(row.amount), row.payout_method, bank.get("iban"),
                  bank.get("bic"), row.payout_file_id)


async def locked_payable(session: AsyncSession, ids: Sequence[uuid.UUID] | None,
                         customers: Sequence[str] | None, entity: str | None
                         ) -> list[Payout]:
    """The credit notes to pay, rows locked until commit: the named ones (exported before or
    not), else every one not in a file yet; of the given affiliates and entity."""
    rows = await session.execute(PAYABLE, {
        "ids": list(ids) if ids is not None else None,
        "customers": list(customers) if customers else None, "entity": entity,
        "configured": CONFIGURED})
    return [_payout(r) for r in rows]


async def keep_file(session: AsyncSession, file_id: uuid.UUID, job_id: uuid.UUID,
                    key: FileKey, content: str, payouts: list[Payout], total: Decimal,
                    filename: str, user: str, at: dt.datetime) -> str:
    """Keep the file and mark its credit notes exported in it; returns its SHA-256."""
    sha = hashlib.sha256(content.encode()).hexdigest()
    entity, file_format, currency = key
    await session.execute(INSERT_FILE, {
        "id": file_id, "job": job_id, "entity": entity, "format": file_format.value,
        "currency": currency,
        "filename": filename, "content": content, "sha": sha,
        "notes": orjson.dumps([{"invoice_id": str(p.invoice_id), "number": p.number}
                               for p in payouts]).decode(),
        "payments": len(payouts), "total": total, "by": user, "at": at})
    await session.execute(MARK, {"file": file_id, "at": at, "by": user,
                                 "ids": [p.invoice_id for p in payouts]})
    return sha


async def payout_file(session: AsyncSession, file_id: uuid.UUID) -> Any:
    """A kept payout file's row (None if unknown)."""
    return (await session.execute(text(
        "select file_id, job_id, entity, format, currency, filename, content, sha256, "
        "credit_notes, payments, total, created_by, created_at from payout_files "
        "where file_id = :id"), {"id": file_id})).first()
