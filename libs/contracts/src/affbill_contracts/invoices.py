"""The full snapshot of an issued document, as billing froze it at issue.

Everything the documents service needs to render a PDF/A-3 with EN 16931 XML
is here; nobody has to ask billing again. Codes follow EN 16931: document type
380 (invoice) / 381 (credit note, used for cancellations), VAT category codes
of UNCL5305 (S, Z, E, AE, K, G, O), unit codes of UN/ECE Rec 20.

Amounts are signed as billing books them: a credit note (381) carries negative lines
and totals, so sums over documents are plain sums. The XML and the PDF state them
with the sign the document type carries (positive on a 381; the documents service's
``presented``), and no unit price is ever negative (BR-27).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from enum import StrEnum

from pydantic import Field

from affbill_contracts.base import Contract
from affbill_contracts.bounds import INT32_MAX, Name
from affbill_contracts.common import PostalAddress
from affbill_contracts.fx import LineConversion, VatAccounting
from affbill_contracts.money import Amount, CurrencyCode


class DocumentType(StrEnum):
    INVOICE = "380"
    CREDIT_NOTE = "381"
    # a self-billed invoice (Gutschrift): the network writes it in the affiliate's name, the
    # affiliate is the seller and the network the buyer (EN 16931 / UNTDID 1001 code 389)
    SELF_BILLED = "389"


class VatCategory(StrEnum):
    STANDARD = "S"
    ZERO = "Z"
    EXEMPT = "E"
    REVERSE_CHARGE = "AE"
    INTRA_EU = "K"
    EXPORT = "G"
    OUT_OF_SCOPE = "O"


class EInvoiceFormat(StrEnum):
    """The structured invoice a buyer receives besides the PDF."""

    FACTUR_X = "factur-x"  # EN 16931 CII embedded in the PDF/A-3 (always made)
    XRECHNUNG = "xrechnung"  # additionally an XRechnung CII XML (German CIUS of EN 16931)


class Party(Contract):
    name: Name = Field(min_length=1, description="Legal or billing name.",
                      examples=["Acme Media GmbH"])
    address: PostalAddress = Field(description="Postal address.")
    vat_id: str | None = Field(default=None, description="VAT identifier.",
                               examples=["DE123456789"])
    tax_number: str | None = Field(default=None, description="National tax number.",
                                   examples=["27/123/45678"])
    email: str | None = Field(default=None, description="Contact e-mail.",
                              examples=["billing@acme.example"])
    company_register: str | None = Field(default=None, description="Company register entry.",
                                 examples=["Amtsgericht Berlin HRB 12345"])
    legal_registration_id: str | None = Field(
        default=None, description="Seller legal registration identifier (BT-30): the "
        "register number.", examples=["HRB 12345"])
    managing_directors: list[str] = Field(
        default_factory=list, description="Managing directors, as the seller must print them.",
        examples=[["Anna Schmidt"]])
    party_id: str | None = Field(
        default=None, description="The seller's identifier (BT-29) on a self-billed credit "
        "note: the affiliate's number in the network's books.", examples=["10042"])


class PaymentInstructions(Contract):
    iban: str | None = Field(default=None, description="IBAN to pay to.",
                             examples=["DE89370400440532013000"])
    bic: str | None = Field(default=None, description="BIC of the bank.", examples=["COBADEFFXXX"])
    bank_name: str | None = Field(default=None, description="Bank name.",
                                  examples=["Commerzbank"])
    reference: str = Field(description="Remittance reference the payer should quote.",
                           examples=["INV-2026-00042"])
    terms: str = Field(description="Payment terms as printed.",
                       examples=["Payable within 14 days without deduction."])


class LineAllowance(Contract):
    """A discount on one line (BG-27): already deducted from the line's net amount."""

    amount: Amount = Field(description="Allowance amount (BT-136), signed like the line.",
                           examples=["50.00"])
    reason: str | None = Field(default=None, description="Reason text (BT-139).",
                               examples=["Volume discount"])
    reason_code: str | None = Field(default=None, description="UNTDID 5189 code (BT-140).",
                                    examples=["95"])


class AllowanceCharge(Contract):
    """A document-level allowance (BG-20) or charge (BG-21) in one VAT category."""

    charge: bool = Field(description="False: an allowance (discount); true: a charge.",
                         examples=[False])
    amount: Amount = Field(description="Amount (BT-92 / BT-99), signed like the document.",
                           examples=["100.00"])
    reason: str | None = Field(default=None, description="Reason text (BT-97 / BT-104).",
                               examples=["Loyalty discount"])
    reason_code: str | None = Field(
        default=None, description="UNTDID 5189 (allowances) or 7161 (charges) code.",
        examples=["95"])
    vat_category: VatCategory = Field(description="VAT category it falls in.", examples=["S"])
    vat_rate: Amount = Field(description="VAT rate in percent.", examples=["19"])


class InvoiceLine(Contract):
    line_no: int = Field(ge=1, le=INT32_MAX, description="Position on the document, from 1.",
                         examples=[1])
    description: str = Field(min_length=1, description="What is billed.",
                             examples=["Acme Shop CPS DE, 2026-10-01 – 2026-10-31"])
    quantity: Amount = Field(description="Quantity billed.", examples=["42"])
    unit_code: str = Field(default="C62", description="UN/ECE Rec 20 unit code.",
                           examples=["C62"])
    unit_price: Amount = Field(description="Net price per unit.", examples=["12.50"])
    net_amount: Amount = Field(
        description="quantity × unit price, rounded HALF_UP to the currency's minor unit.",
        examples=["525.00"])
    vat_category: VatCategory = Field(description="EN 16931 VAT category code.",
                                      examples=["S"])
    vat_rate: Amount = Field(description="VAT rate in percent.", examples=["19"])
    period_start: dt.date | None = Field(default=None, description="Service period start.",
                                         examples=["2026-10-01"])
    period_end: dt.date | None = Field(default=None, description="Service period end.",
                                       examples=["2026-10-31"])
    allowances: list[LineAllowance] = Field(
        default_factory=list, description="Discounts on this line (BG-27), in net_amount.")
    item_ids: list[uuid.UUID] = Field(default_factory=list,
                                      description="Billable items this line bills.",
                                      examples=[["2f0b3c1e-6e21-4f7e-9b25-4f1b0f3c9a11"]])
    conversion: LineConversion | None = Field(
        default=None, description="Items in another currency converted into the document's "
                                  "(convert mode): source amount, quotes, their date.")


class TaxSubtotal(Contract):
    vat_category: VatCategory = Field(description="EN 16931 VAT category code.", examples=["S"])
    vat_rate: Amount = Field(description="VAT rate in percent.", examples=["19"])
    taxable_amount: Amount = Field(description="Sum of the lines' net amounts in this group.",
                                   examples=["525.00"])
    tax_amount: Amount = Field(description="VAT of the group, computed once, rounded HALF_UP.",
                               examples=["99.75"])
    exemption_reason: str | None = Field(
        default=None, description="Why no VAT is charged (reverse charge, export, …).",
        examples=["Reverse charge: VAT to be accounted for by the recipient."])


class Totals(Contract):
    line_total: Amount = Field(description="Sum of the lines' net amounts.", examples=["525.00"])
    allowance_total: Amount = Field(default=Decimal(0), examples=["0"],
                                    description="Sum of document allowances (BT-107).")
    charge_total: Amount = Field(default=Decimal(0), examples=["0"],
                                 description="Sum of document charges (BT-108).")
    tax_total: Amount = Field(description="Sum of the tax subtotals.", examples=["99.75"])
    grand_total: Amount = Field(description="line_total - allowance_total + charge_total "
                                "+ tax_total.", examples=["624.75"])
    amount_due: Amount = Field(description="What the buyer has to pay.", examples=["624.75"])


class PrecedingInvoice(Contract):
    number: str = Field(description="Number of the invoice referred to.",
                        examples=["INV-2026-00042"])
    issue_date: dt.date = Field(description="Its issue date.", examples=["2026-11-01"])
    cancelled: bool = Field(default=True, description="True: this document cancels it in "
                            "full; false: a partial credit note against it.", examples=[True])


class InvoiceDocument(Contract):
    invoice_id: uuid.UUID = Field(description="Billing's id of the document.",
                                  examples=["9a3c5e7f-1b2d-4c6e-8f0a-1b2c3d4e5f60"])
    number: str = Field(min_length=1, description="Gapless number from the number series.",
                        examples=["INV-2026-00042"])
    document_type: DocumentType = Field(description="380 invoice, 381 credit note, 389 "
                                        "self-billed credit note to an affiliate.",
                                        examples=["380"])
    customer_id: str = Field(min_length=1, description="The customer (advertiser/affiliate).",
                             examples=["hasoffers-main:advertiser:501"])
    issue_date: dt.date = Field(description="Invoice date.", examples=["2026-11-01"])
    due_date: dt.date = Field(description="Payment due date.", examples=["2026-11-15"])
    period_start: dt.date | None = Field(default=None, description="Service period start.",
                                         examples=["2026-10-01"])
    period_end: dt.date | None = Field(default=None, description="Service period end.",
                                       examples=["2026-10-31"])
    delivery_date: dt.date | None = Field(
        default=None, description="Date of supply (BT-72); with the service period (BG-14) "
                                  "it dates what is billed.", examples=["2026-10-31"])
    currency: CurrencyCode = Field(description="Document currency.", examples=["EUR"])
    seller: Party = Field(description="The network issuing the document (on a 389, the "
                          "affiliate in whose name the network issues it).")
    buyer: Party = Field(description="The customer billed (on a 389, the network).")
    lines: list[InvoiceLine] = Field(min_length=1, description="The lines, in print order.")
    tax_breakdown: list[TaxSubtotal] = Field(min_length=1,
                                             description="VAT per category and rate.")
    allowances_charges: list[AllowanceCharge] = Field(
        default_factory=list, description="Document-level allowances and charges (BG-20/21).")
    totals: Totals = Field(description="Document totals.")
    payment: PaymentInstructions = Field(description="How to pay.")
    notes: list[str] = Field(default_factory=list, description="Intro and closing texts.",
                             examples=[["Thank you for your business."]])
    preceding_invoice: PrecedingInvoice | None = Field(
        default=None, description="The invoice a cancellation or credit note corrects (BG-3).")
    buyer_reference: str | None = Field(
        default=None, description="Buyer's reference (BT-10); for XRechnung the Leitweg-ID.",
        examples=["04011000-12345-67"])
    e_invoice_format: EInvoiceFormat = Field(
        default=EInvoiceFormat.FACTUR_X,
        description="factur-x: the PDF/A-3 with embedded EN 16931 XML; xrechnung: in addition "
                    "an XRechnung CII XML (needs buyer_reference).",
        examples=["xrechnung"])
    debtor_number: str | None = Field(
        default=None, description="The customer's debtor number in the seller's books "
                                  "(BT-46, printed as Customer no.).", examples=["10042"])
    language: str = Field(default="en", pattern="^(en|de)$",
                          description="Language of the PDF: en or de, with its number and "
                                      "date formats.", examples=["de"])
    vat_accounting: VatAccounting | None = Field(
        default=None,
        description="The VAT in the seller's accounting currency (BT-6, BT-111) with the rate, "
                    "its date and source, when the document currency is another; absent on "
                    "documents issued before rates were kept.")
