"""Numbering a run's pending documents: many per transaction, gapless per series.

The series' counter row is locked once per batch instead of once per invoice, so one
commit issues many documents; numbers stay gapless (a rollback returns them all). Any
process may number any of the run's pending documents (SKIP LOCKED splits them).
"""

from __future__ import annotations

import asyncio
import uuid

from affbill_billing.adapters import runs_repo
from affbill_billing.adapters.invoices import pending
from affbill_billing.adapters.invoices.pending import Pending
from affbill_billing.adapters.numbering import take_numbers
from affbill_billing.domain.runs import RunCounts
from affbill_billing.service_layer.documents import created_line
from affbill_billing.service_layer.run_work import RunWork
from affbill_contracts import topics
from affbill_contracts.billing import InvoiceIssued
from affbill_contracts.envelope import Envelope
from affbill_contracts.invoices import InvoiceDocument
from affbill_runtime.db import UnitOfWork
from affbill_runtime.metrics import DOCUMENTS_ISSUED

YIELD_EVERY = 25  # documents numbered between turns of the event loop


async def number_pending(work: RunWork) -> int:
    """Number and issue a batch of the run's pending documents in one transaction;
    returns how many (0: none left that another transaction does not hold)."""
    async with work.uow_factory() as uow:
        conn, batch = await pending.lock_pending(uow.session, work.ctx.run_id,
                                                    work.issue_batch)
        if not batch:
            return 0
        stored = {p.invoice_id: work.tally.documents.get(p.invoice_id) for p in batch}
        # read back only what this process's single statements did not build: documents
        # of the locking path, of another process or of an interrupted run
        if missing := [i for i, doc in stored.items() if doc is None]:
            stored.update(await pending.snapshots(conn, missing))
        ids: list[uuid.UUID] = []
        numbers: list[str] = []
        for series, year in sorted({(p.series, p.issue_date.year) for p in batch}):
            in_series = [p for p in batch if (p.series, p.issue_date.year) == (series, year)]
            numbering, first = await take_numbers(uow.session, series, len(in_series), year)
            for offset, p in enumerate(in_series):
                if offset % YIELD_EVERY == YIELD_EVERY - 1:
                    await asyncio.sleep(0)  # let the billing workers' statements go on
                number = numbering.format(first + offset, p.issue_date)
                _issue(work, uow, p, stored[p.invoice_id], number)
                ids.append(p.invoice_id)
                numbers.append(number)
        await pending.mark_issued(conn, ids, numbers)
        await runs_repo.add_counts(conn, work.ctx.run_id, RunCounts(documents_created=len(ids)))
        await uow.commit()
    for invoice_id in ids:
        if (document := work.tally.documents.pop(invoice_id, None) or stored.get(invoice_id)):
            DOCUMENTS_ISSUED.labels(document.document_type).inc()
    return len(batch)


def _issue(work: RunWork, uow: UnitOfWork, p: Pending, unnumbered: InvoiceDocument | None,
           number: str) -> None:
    """One document numbered: its InvoiceIssued into the outbox, its line in the job log."""
    assert unnumbered is not None
    document = unnumbered.model_copy(update={
        "number": number,
        "payment": unnumbered.payment.model_copy(update={"reference": number})})
    uow.publish(topics.BILLING_INVOICES, p.customer_id, Envelope.wrap(
        InvoiceIssued(document=document, run_id=work.ctx.run_id,
                      issued_by=work.ctx.requested_by), job_id=work.ctx.job_id))
    work.job(uow).log(created_line(document))
    work.tally.counts.documents_created += 1


class NumberingAlongside:
    """Numbers pending documents in the background while the run bills customers."""

    def __init__(self, work: RunWork) -> None:
        self.work = work
        self.billing_done = False
        self.task = asyncio.create_task(self._number())

    async def _number(self) -> None:
        work = self.work
        while not self.billing_done:
            await work.batch_ready.wait()
            work.batch_ready.clear()
            while work.tally.pending >= work.issue_batch:
                issued = await number_pending(work)
                if not issued:  # another transaction holds them: they are numbered there
                    break
                work.tally.pending -= issued

    async def stop(self) -> None:
        self.billing_done = True
        self.work.batch_ready.set()
        await self.task
