"""Writes of the documents schema: store rendered documents, link cancellations."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from affbill_contracts.invoices import DocumentType
from affbill_documents.adapters.orm import documents

# An invoice is cancelled by the cancellation that names it: by id when billing sent it
# (InvoiceCancelled), else by number of the same customer (a 381 InvoiceIssued).
CREDIT_NOTE = DocumentType.CREDIT_NOTE.value
LINK_CANCELLATIONS = text(f"""
update documents o set cancelled_by_invoice_id = c.invoice_id
from documents c
where c.invoice_id = any(:ids) and c.document_type = '{CREDIT_NOTE}'
  and c.cancels_number is not null
  and o.cancelled_by_invoice_id is null and o.invoice_id <> c.invoice_id
  and (o.invoice_id = c.cancels_invoice_id
       or (c.cancels_invoice_id is null and o.number = c.cancels_number
           and o.customer_id = c.customer_id))
""")
# ... and an invoice arriving after its cancellation (another partition) finds it.
LINK_LATE_ORIGINALS = text(f"""
update documents o set cancelled_by_invoice_id = c.invoice_id
from documents c
where o.invoice_id = any(:ids) and o.cancelled_by_invoice_id is null
  and c.document_type = '{CREDIT_NOTE}' and c.invoice_id <> o.invoice_id
  and (c.cancels_invoice_id = o.invoice_id
       or (c.cancels_invoice_id is null and c.cancels_number = o.number
           and c.customer_id = o.customer_id))
""")
SET_CANCELLED_ID = text("""
update documents set cancels_invoice_id = :original
where invoice_id = :cancellation and cancels_invoice_id is null
""")


async def existing(session: AsyncSession, invoice_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    ids = list(invoice_ids)
    if not ids:
        return set()
    rows = await session.execute(select(documents.c.invoice_id)
                                 .where(documents.c.invoice_id.in_(ids)))
    return set(rows.scalars())


async def store(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> set[uuid.UUID]:
    """Insert documents not stored yet whose number is free; returns the ids this call
    stored."""
    if not rows:
        return set()
    # any unique key: the invoice id (stored before) or the number (another document's)
    result = await session.execute(
        insert(documents).on_conflict_do_nothing().returning(documents.c.invoice_id), list(rows))
    return set(result.scalars())


async def numbers_taken(session: AsyncSession, numbers: dict[str, uuid.UUID]
                        ) -> dict[str, uuid.UUID]:
    """Of {number: invoice id}, the numbers another document holds, with its invoice id."""
    if not numbers:
        return {}
    rows = await session.execute(
        select(documents.c.number, documents.c.invoice_id)
        .where(documents.c.number.in_(list(numbers))))
    return {n: i for n, i in rows.all() if numbers[n] != i}


async def link_cancellations(session: AsyncSession, known: dict[uuid.UUID, uuid.UUID],
                             stored: Iterable[uuid.UUID]) -> None:
    """``known``: cancellation id → cancelled invoice id, from InvoiceCancelled events."""
    for cancellation, original in known.items():
        await session.execute(SET_CANCELLED_ID, {"original": original,
                                                 "cancellation": cancellation})
    ids = list({*known, *stored})
    if ids:
        await session.execute(LINK_CANCELLATIONS, {"ids": ids})
        await session.execute(LINK_LATE_ORIGINALS, {"ids": ids})
