"""Self-billed credit notes (389) on the documents service's real database: rendered,
valid, stored (the document type is allowed) and listed under the affiliate they pay."""

from __future__ import annotations

import pytest

from affbill_billing.domain.payouts import AffiliateTaxStatus
from affbill_contracts import Envelope, topics
from affbill_contracts.billing import InvoiceIssued
from affbill_documents.service_layer.rendering import render_invoices
from affbill_runtime.runtime import Runtime
from tests.integration.documents.conftest import outbox, stored
from tests.unit.documents.test_self_billed import credit_note

pytestmark = pytest.mark.integration


async def test_a_self_billed_credit_note_is_stored_valid_under_its_affiliate(
        documents: Runtime) -> None:
    doc = credit_note(AffiliateTaxStatus.SMALL_BUSINESS)
    counts = await render_invoices(documents.uow, documents.state.renderer, [
        Envelope.wrap(InvoiceIssued(document=doc, issued_by="anna"))])
    assert counts == {"rendered": 1, "failed_validation": 0}
    row = (await stored(documents))[doc.invoice_id]
    assert row["valid"] and row["document_type"] == "389"
    assert row["buyer_name"] == "Jana Berger Webdesign"  # the affiliate it pays
    lines = [e.payload.text for e in await outbox(documents, topics.JOBS_EVENTS)
             if e.type == "jobs.job.log"]
    assert f"Document {doc.number} rendered for Jana Berger Webdesign" in lines
