"""One valid sample per event type, for round-trip and AsyncAPI tests."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from affbill_contracts import (
    AdvertiserSynced,
    AffiliateSynced,
    CancelSync,
    ConversionSynced,
    DocumentRendered,
    EmployeeSynced,
    InvoiceCancelled,
    InvoiceIssued,
    IssueDrafts,
    JobFinished,
    JobLogLine,
    JobProgress,
    JobQueued,
    JobStarted,
    Payload,
    ProcessSelected,
    StartSync,
    StatRowSynced,
    SyncSucceeded,
)
from affbill_contracts.common import PostalAddress
from affbill_contracts.fx import ExchangeRatesPublished
from affbill_contracts.invoices import (
    InvoiceDocument,
    InvoiceLine,
    Party,
    PaymentInstructions,
    PrecedingInvoice,
    TaxSubtotal,
    Totals,
)


def stat_row(**overrides: Any) -> StatRowSynced:
    fields: dict[str, Any] = dict(
        connector="hasoffers-main", stat_key="hasoffers-main|2026-11-01|501|33|1007|EUR",
        date=dt.date(2026, 11, 1), advertiser_id="501", offer_id="33", offer_name="Shop CPS",
        affiliate_id="1007", currency="EUR", conversions=42, revenue=Decimal("1234.56789"),
        payout=Decimal("987.65000"))
    fields.update(overrides)
    return StatRowSynced(**fields)


def invoice_document(**overrides: Any) -> InvoiceDocument:
    address = PostalAddress(lines=["Hauptstraße 5"], postal_code="10115", city="Berlin",
                            country_code="DE")
    fields: dict[str, Any] = dict(
        invoice_id=uuid.uuid4(), number="INV-2026-00042", document_type="380",
        customer_id="hasoffers-main:advertiser:501", issue_date=dt.date(2026, 11, 1),
        due_date=dt.date(2026, 11, 15), period_start=dt.date(2026, 10, 1),
        period_end=dt.date(2026, 10, 31), currency="EUR",
        seller=Party(name="Network GmbH", address=address, vat_id="DE999999999"),
        buyer=Party(name="Acme Media GmbH", address=address, vat_id="DE123456789"),
        lines=[InvoiceLine(line_no=1, description="Shop CPS, October", quantity=Decimal("42"),
                           unit_price=Decimal("12.50"), net_amount=Decimal("525.00"),
                           vat_category="S", vat_rate=Decimal("19"))],
        tax_breakdown=[TaxSubtotal(vat_category="S", vat_rate=Decimal("19"),
                                   taxable_amount=Decimal("525.00"),
                                   tax_amount=Decimal("99.75"))],
        totals=Totals(line_total=Decimal("525.00"), tax_total=Decimal("99.75"),
                      grand_total=Decimal("624.75"), amount_due=Decimal("624.75")),
        payment=PaymentInstructions(iban="DE89370400440532013000", reference="INV-2026-00042",
                                    terms="Payable within 14 days."),
    )
    fields.update(overrides)
    return InvoiceDocument(**fields)


_partner = dict(connector="hasoffers-main", company="Acme Media GmbH", status="active",
                currency="EUR")

SAMPLES: dict[str, Payload] = {p.EVENT_TYPE: p for p in [
    StartSync(connector="hasoffers-main", scope="standard", requested_by="anna"),
    CancelSync(sync_job_id=uuid.UUID("0b8e8a52-7f0c-4d3e-9a55-3f2f4f1d9c11"),
               requested_by="anna"),
    SyncSucceeded(connector="hasoffers-main", scope="standard", date_from=dt.date(2026, 11, 1),
                  date_to=dt.date(2026, 12, 2),
                  started_at=dt.datetime(2026, 12, 2, 6, tzinfo=dt.UTC),
                  finished_at=dt.datetime(2026, 12, 2, 6, 4, tzinfo=dt.UTC)),
    EmployeeSynced(connector="hasoffers-main", employee_id="12", first_name="Anna",
                   status="active"),
    AdvertiserSynced(**_partner, advertiser_id="501"),
    AffiliateSynced(**_partner, affiliate_id="1007"),
    stat_row(),
    ConversionSynced(connector="hasoffers-main", conversion_id="c-1", advertiser_id="501",
                     offer_id="33", affiliate_id="1007", status="pending", currency="EUR",
                     revenue=Decimal("12.5"), payout=Decimal("8"),
                     converted_at=dt.datetime(2026, 11, 1, 13, 45, tzinfo=dt.UTC)),
    ProcessSelected(run_id=uuid.uuid4(), customer_ids=["hasoffers-main:advertiser:501"],
                    requested_by="anna"),
    InvoiceIssued(document=invoice_document(), issued_by="anna"),
    IssueDrafts(draft_ids=[uuid.uuid4()], requested_by="anna"),
    InvoiceCancelled(cancelled_invoice_id=uuid.uuid4(), cancelled_number="INV-2026-00042",
                     document=invoice_document(
                         number="INV-2026-00043-S", document_type="381",
                         preceding_invoice=PrecedingInvoice(number="INV-2026-00042",
                                                            issue_date=dt.date(2026, 11, 1))),
                     cancelled_by="anna"),
    DocumentRendered(invoice_id=uuid.uuid4(), number="INV-2026-00042", customer_id="c",
                     profile="EN 16931", pdf_sha256="0" * 64, pdf_size=1, xml_sha256="f" * 64,
                     valid=True),
    JobQueued(service="gateway", seq=0, kind="batch_run", title="Run", requested_by="anna"),
    JobStarted(service="billing", seq=1, kind="batch_run", title="Run", started_by="anna"),
    JobProgress(service="billing", seq=2, step="customers", done=1, total=2),
    JobLogLine(service="billing", seq=3, level="info", text="Document 1 created for Acme"),
    JobFinished(service="billing", seq=4, status="succeeded", counts={"documents_created": 1}),
    ExchangeRatesPublished(source="ecb", base="EUR", rate_date=dt.date(2026, 11, 27),
                           rates={"GBP": Decimal("0.86905"), "USD": Decimal("1.1606")}),
]}
