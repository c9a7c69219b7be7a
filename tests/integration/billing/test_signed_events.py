"""Billing signs what it puts on billing.invoices: a run's InvoiceIssued and a
cancellation's InvoiceCancelled verify with the shared secret, other events carry none."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from affbill_billing.service_layer import issuing, runs
from affbill_contracts import decode, topics
from affbill_contracts.signing import SignatureRejected, verify
from affbill_runtime.runtime import Runtime
from tests.events import INTERNAL_SECRET
from tests.integration.billing.conftest import TODAY, command, customer_with_items

pytestmark = pytest.mark.integration


async def test_issued_and_cancelled_documents_leave_signed(billing: Runtime) -> None:
    _, customer = await customer_with_items(billing)
    await runs.process_selected(billing.uow, command(customer), billing.settings, TODAY)
    async with billing.engine.connect() as conn:
        invoice_id = await conn.scalar(text("select invoice_id from invoices"))
    await issuing.cancel_invoice(billing.uow, invoice_id, "anna", billing.settings, TODAY)
    async with billing.engine.connect() as conn:
        rows = (await conn.execute(text("select topic, value from outbox order by id"))).all()
    invoices = [bytes(v) for t, v in rows if t == topics.BILLING_INVOICES]
    assert [decode(v).type for v in invoices] == ["billing.invoice.issued",
                                                  "billing.invoice.cancelled"]
    for value in invoices:
        verify(value, INTERNAL_SECRET)
        with pytest.raises(SignatureRejected):
            verify(value, "another secret")
    assert all(decode(v).signature is None for t, v in rows if t == topics.JOBS_EVENTS)
