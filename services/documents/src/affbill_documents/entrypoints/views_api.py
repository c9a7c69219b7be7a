"""Response bodies of the documents service's routes (typed in the OpenAPI document, which
the gateway's takes them from). Amounts are rounded to the currency's minor unit."""

from __future__ import annotations

from pydantic import Field

from affbill_contracts.wire import AmountText, Day, Id, Page, Timestamp, View


class IssuedDocument(View):
    """An issued document's metadata: number, amounts, validity, where its files are."""

    invoice_id: Id
    number: str = Field(examples=["RE-2026-00042"])
    document_type: str = Field(examples=["380"])
    status: str = Field(examples=["issued", "cancelled", "cancellation", "credit_note"])
    customer_id: str
    buyer_name: str | None
    issue_date: Day
    due_date: Day | None
    currency: str
    net_total: AmountText
    tax_total: AmountText
    gross_total: AmountText
    amount_due: AmountText
    needs_attention: bool = Field(description="The stored document failed validation.")
    rendered_at: Timestamp | None
    pdf_url: str
    xml_url: str
    xrechnung_url: str | None


class DocumentPage(Page):
    items: list[IssuedDocument]
