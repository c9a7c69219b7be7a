"""Rendering on the real database with the real worker pool: stored once, flagged, linked."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from decimal import Decimal

import pytest

from affbill_contracts import Envelope, topics
from affbill_contracts.billing import InvoiceCancelled, InvoiceIssued
from affbill_contracts.invoices import InvoiceDocument, Totals
from affbill_documents.service_layer.rendering import render_invoices
from affbill_runtime.runtime import Runtime
from tests.integration.documents.conftest import outbox, stored
from tests.unit.documents.samples import cancellation, invoice

pytestmark = pytest.mark.integration


def issued(doc: InvoiceDocument, job_id: uuid.UUID | None = None) -> Envelope[InvoiceIssued]:
    return Envelope.wrap(InvoiceIssued(document=doc, issued_by="anna"), job_id=job_id)


def broken(doc: InvoiceDocument) -> InvoiceDocument:
    wrong = doc.totals.line_total + Decimal("1.00")
    return doc.model_copy(update={"totals": Totals(
        line_total=wrong, tax_total=doc.totals.tax_total,
        grand_total=wrong + doc.totals.tax_total, amount_due=wrong + doc.totals.tax_total)})


async def test_issued_invoices_are_rendered_stored_and_published_once(documents: Runtime) -> None:
    run_job = uuid.uuid4()
    docs = [invoice(3, number=f"INV-2026-{n:05d}") for n in range(1, 4)]
    events = [issued(d, run_job) for d in docs]
    counts = await render_invoices(documents.uow, documents.state.renderer, events)
    assert counts == {"rendered": 3, "failed_validation": 0}

    rows = await stored(documents)
    assert set(rows) == {d.invoice_id for d in docs}
    for d in docs:
        row = rows[d.invoice_id]
        assert row["valid"] and row["failed_rules"] == []
        assert row["pdf_sha256"] == hashlib.sha256(row["pdf"]).hexdigest()
        assert row["xml_sha256"] == hashlib.sha256(row["xml"]).hexdigest()
        assert row["pdf_size"] == len(row["pdf"]) and row["issuing_job_id"] == run_job
    rendered = [e.payload for e in await outbox(documents, topics.DOCUMENTS_RENDERED)]
    assert sorted(r.number for r in rendered) == [d.number for d in docs]
    assert all(r.valid and r.profile == "EN 16931" for r in rendered)

    jobs = await outbox(documents, topics.JOBS_EVENTS)
    assert {e.job_id for e in jobs} == {rows[docs[0].invoice_id]["rendering_job_id"]}
    assert jobs[0].payload.kind == "rendering" and jobs[-1].payload.status == "succeeded"
    lines = [e.payload.text for e in jobs if e.type == "jobs.job.log"]
    assert sorted(lines) == [f"Document {d.number} rendered for Acme Media GmbH" for d in docs]

    # redelivered events, and a new event for an invoice already stored: nothing twice
    again = await render_invoices(documents.uow, documents.state.renderer,
                                  [*events, issued(docs[0])])
    assert again == {"rendered": 0, "failed_validation": 0}
    assert len(await outbox(documents, topics.DOCUMENTS_RENDERED)) == 3
    assert len(await outbox(documents, topics.JOBS_EVENTS)) == len(jobs)
    assert (await stored(documents))[docs[0].invoice_id]["pdf"] == rows[docs[0].invoice_id]["pdf"]


async def test_a_document_failing_validation_is_flagged_not_published(
        documents: Runtime, expect_invalid_document: Callable[[uuid.UUID], None]) -> None:
    good, bad = invoice(2, number="INV-2026-00010"), broken(invoice(2, number="INV-2026-00011"))
    expect_invalid_document(bad.invoice_id)
    counts = await render_invoices(documents.uow, documents.state.renderer,
                                   [issued(good), issued(bad)])
    assert counts == {"rendered": 1, "failed_validation": 1}
    row = (await stored(documents))[bad.invoice_id]
    assert not row["valid"] and "BR-CO-10" in row["failed_rules"] and row["pdf"]
    assert any(f["rule"] == "BR-CO-10" for f in row["findings"])
    assert [e.payload.number for e in await outbox(documents, topics.DOCUMENTS_RENDERED)] \
        == [good.number]
    jobs = await outbox(documents, topics.JOBS_EVENTS)
    [error] = [e.payload for e in jobs if e.type == "jobs.job.log" and e.payload.level == "error"]
    assert "INV-2026-00011" in error.text and "BR-CO-10" in error.text
    assert jobs[-1].payload.status == "succeeded_with_warnings"
    assert jobs[-1].payload.counts == {"rendered": 1, "failed_validation": 1}


async def test_cancellations_mark_the_invoice_cancelled(documents: Runtime) -> None:
    first, second = invoice(2, number="INV-2026-00020"), invoice(2, number="INV-2026-00021")
    await render_invoices(documents.uow, documents.state.renderer, [issued(first), issued(second)])
    by_event = cancellation(first)
    by_issue = cancellation(second)  # a 381 that arrives as InvoiceIssued, naming the number
    await render_invoices(documents.uow, documents.state.renderer, [
        Envelope.wrap(InvoiceCancelled(cancelled_invoice_id=first.invoice_id,
                                       cancelled_number=first.number, document=by_event,
                                       cancelled_by="anna")),
        issued(by_issue)])
    rows = await stored(documents)
    assert rows[first.invoice_id]["cancelled_by_invoice_id"] == by_event.invoice_id
    assert rows[second.invoice_id]["cancelled_by_invoice_id"] == by_issue.invoice_id
    assert rows[by_event.invoice_id]["cancels_invoice_id"] == first.invoice_id
    assert rows[by_issue.invoice_id]["valid"] and rows[by_event.invoice_id]["valid"]


async def test_a_cancellation_arriving_before_its_invoice_still_links(documents: Runtime) -> None:
    original = invoice(1, number="INV-2026-00030")
    await render_invoices(documents.uow, documents.state.renderer, [issued(cancellation(original))])
    await render_invoices(documents.uow, documents.state.renderer, [issued(original)])
    assert (await stored(documents))[original.invoice_id]["cancelled_by_invoice_id"] is not None
