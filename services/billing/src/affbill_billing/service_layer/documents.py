"""The issued document's snapshot in the wire contract (what documents renders from)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from affbill_billing.config import Settings
from affbill_billing.domain import en16931, wording
from affbill_billing.domain.billing_profile import Buyer
from affbill_billing.domain.fx import (
    ACCOUNTING_CURRENCY,
    Converted,
    MissingRate,
    RateBook,
    RateDateRule,
    divided,
    into_base,
    rate_day,
)
from affbill_billing.domain.invoicing import InvoicePlan
from affbill_billing.domain.payouts import SELF_BILLING
from affbill_billing.domain.seller_entities import SellerEntity
from affbill_billing.service_layer.errors import InvalidDocument
from affbill_contracts.common import PostalAddress
from affbill_contracts.fx import LineConversion, VatAccounting
from affbill_contracts.invoices import (
    AllowanceCharge,
    DocumentType,
    EInvoiceFormat,
    InvoiceDocument,
    InvoiceLine,
    LineAllowance,
    Party,
    PaymentInstructions,
    PrecedingInvoice,
    TaxSubtotal,
    Totals,
)

PENDING_NUMBER = "(pending)"  # a document's number before the gate let it be numbered


def validated(document: InvoiceDocument) -> InvoiceDocument:
    """The document if it passes the EN 16931 gate, else InvalidDocument: checked before a
    number is taken, so a document that would not validate never uses one."""
    if violations := en16931.check(document):
        raise InvalidDocument(violations)
    return document


def numbered(document: InvoiceDocument, number: str) -> InvoiceDocument:
    """The validated document with its number (and the number as payment reference)."""
    return document.model_copy(update={
        "number": number, "payment": document.payment.model_copy(update={"reference": number})})


def carried_over(original: InvoiceDocument) -> dict[str, object]:
    """What a cancellation or credit note states as the invoice it corrects did: the
    parties, the e-invoice format, the date of supply, debtor number and language."""
    return {"buyer": original.buyer, "seller": original.seller,
            "e_invoice_format": original.e_invoice_format,
            "delivery_date": original.delivery_date, "debtor_number": original.debtor_number,
            "language": original.language}


def created_line(document: InvoiceDocument) -> str:
    """The job-log line of an issued document: a self-billed credit note names the
    affiliate it pays (its seller), any other document the customer billed."""
    if document.document_type is DocumentType.SELF_BILLED:
        return f"Credit note {document.number} created for {document.seller.name}"
    return f"Document {document.number} created for {document.buyer.name}"


def seller(settings: Settings, entity: SellerEntity | None = None) -> Party:
    """The issuing entity (the configured seller when none is named) with the details every
    document prints: legal name, address, VAT id, tax number, register, managing directors."""
    e = entity or settings.configured_seller()
    return Party(name=e.legal_name, vat_id=e.vat_id, tax_number=e.tax_number,
                 legal_registration_id=e.register_number,
                 managing_directors=list(e.managing_directors),
                 company_register=e.company_register,
                 address=PostalAddress(lines=list(e.address.get("lines") or []),
                                       postal_code=e.address.get("postal_code"),
                                       city=e.address.get("city"), country_code=e.country))


def buyer(b: Buyer) -> Party:
    """The customer as billed; its e-mail (BT-49, the buyer's electronic address) is the
    first invoice recipient of the profile."""
    address = dict(b.address)
    address["country_code"] = b.country or address.get("country_code")
    return Party(name=b.billing_name, vat_id=b.vat_id,
                 email=b.email_recipients[0] if b.email_recipients else None,
                 address=PostalAddress(**{k: v for k, v in address.items()
                                          if k in PostalAddress.model_fields}))


def affiliate(b: Buyer, customer_id: str) -> Party:
    """The affiliate as the seller of its self-billed credit note: identified by its number
    in the network's books (BT-29: the profile's debtor number, else its customer id, so
    BR-CO-26 holds without a VAT id) and its VAT id or tax number (BT-31/BT-32)."""
    return buyer(b).model_copy(update={"tax_number": b.tax_number,
                                       "party_id": b.debtor_number or customer_id})


def parties(document_type: str, to: Buyer, settings: Settings, issuer: SellerEntity | None,
            customer_id: str) -> tuple[Party, Party]:
    """(seller, buyer): the network sells to the customer; on a self-billed credit note
    (389) the affiliate sells to the network, which issues the document in its name."""
    network = seller(settings, issuer)
    if document_type == DocumentType.SELF_BILLED:
        return affiliate(to, customer_id), network
    return network, buyer(to)


def payee_account(document_type: str, to: Buyer, settings: Settings,
                  issuer: SellerEntity | None) -> tuple[str | None, str | None, str | None]:
    """(IBAN, BIC, bank) the amount goes to: the network's, or on a 389 the affiliate's."""
    if document_type == DocumentType.SELF_BILLED:
        b = to.bank
        return (b.iban, b.bic, b.bank_name) if b else (None, None, None)
    bank = (issuer or settings.configured_seller()).bank
    return (bank.iban, bank.bic, bank.bank_name) if bank else (None, None, None)


def self_billing_notes(document_type: str, language: str, notes: Sequence[str | None]
                       ) -> list[str]:
    """The notes a document carries; a 389 first states that it is a self-billed credit
    note (§ 14 (4) no. 10 UStG, Art. 226 (10a) VAT Directive)."""
    stated = [n for n in notes if n]
    if document_type == DocumentType.SELF_BILLED:
        return [SELF_BILLING["de" if language == "de" else "en"], *stated]
    return stated


def without_vat_ids(parties: tuple[Party, Party], categories: set[str]) -> tuple[Party, Party]:
    """Seller and buyer as a document with lines not subject to VAT (O) names them: no VAT
    ids (BR-O-02); the seller is identified by its tax number (BT-32) instead."""
    if "O" not in categories:
        return parties
    return tuple(p.model_copy(update={"vat_id": None}) for p in parties)  # type: ignore[return-value]


def payment_terms(document_type: str, plan: InvoicePlan, language: str = "en") -> str:
    """The payment terms (BT-20) in the document's language."""
    days, lang = (plan.due_date - plan.issue_date).days, language
    within = wording.days(days, lang)
    if document_type == DocumentType.SELF_BILLED:
        if lang == "de":
            return (f"Auszahlung innerhalb von {within} (bis {plan.due_date:%d.%m.%Y}) "
                    "auf Ihr Konto.")
        return f"Paid out to your account within {within} (by {plan.due_date.isoformat()})."
    if lang == "de":
        if document_type == DocumentType.CREDIT_NOTE:
            return "Gutschrift: Der Betrag wird Ihrem Konto gutgeschrieben; nichts zu zahlen."
        return f"Zahlbar innerhalb von {within} (bis {plan.due_date:%d.%m.%Y}) ohne Abzug."
    if document_type == DocumentType.CREDIT_NOTE:
        return "Credit note: the amount is credited to your account; nothing to pay."
    return f"Payable within {within} (by {plan.due_date.isoformat()}) without deduction."


def vat_accounting(plan: InvoicePlan, rates: RateBook | None, rule: RateDateRule,
                   fixed: VatAccounting | None = None) -> VatAccounting | None:
    """The VAT in the accounting currency (BT-6, BT-111) of a document in another
    currency: at ``fixed``'s rate (a correction uses the rate of the invoice it corrects),
    else at the rate of the day ``rule`` names (that day's, or the last published before
    it). Required where VAT is charged (Art. 230 VAT Directive): MissingRate then, never a
    guess; a document without VAT gets it where the rate is known."""
    if plan.currency == ACCOUNTING_CURRENCY:
        return None
    if fixed is not None:
        return fixed.model_copy(update={
            "tax_total": divided(plan.totals.tax, fixed.rate, fixed.currency)})
    day = rate_day(rule, plan.issue_date, plan.period_end)
    try:
        rate = (rates or RateBook([])).on(plan.currency, day)
    except MissingRate:
        if plan.totals.tax:
            raise
        return None
    return VatAccounting(currency=ACCOUNTING_CURRENCY, rate=rate.rate, rate_date=rate.rate_date,
                         source=rate.source, tax_total=into_base(plan.totals.tax, rate))


def line_conversion(converted: Converted | None) -> LineConversion | None:
    """A converted line's snapshot: its source amount and the quotes, as published."""
    if converted is None:
        return None
    c = converted.conversion
    used = c.direct or c.source_rate or c.target_rate
    if used is None:  # the same currency: nothing was converted
        return None
    return LineConversion(
        source_currency=converted.source_currency, source_amount=converted.source_amount,
        base=used.base, rate_date=used.rate_date, source=used.source,
        direct_rate=c.direct.rate if c.direct else None,
        source_rate=c.source_rate.rate if c.source_rate else None,
        target_rate=c.target_rate.rate if c.target_rate else None)


def snapshot(invoice_id: uuid.UUID, number: str, customer_id: str, plan: InvoicePlan,
             to: Buyer, settings: Settings, *, document_type: str = DocumentType.INVOICE,
             notes: Sequence[str | None] = (), buyer_reference: str | None = None,
             preceding: PrecedingInvoice | None = None,
             issuer: SellerEntity | None = None, rates: RateBook | None = None,
             fixed_rate: VatAccounting | None = None) -> InvoiceDocument:
    """The document as issued. Amounts keep their ledger sign: a credit note (381) from
    restatements, a cancellation or a partial credit note carries negative lines and
    totals; the documents service states them positive in the XML and on the PDF.

    ``to`` is the buyer from the billing profile (a run) or the draft's presets: its
    ``e_invoice_format`` and ``buyer_reference`` (BT-10, the Leitweg-ID XRechnung needs)
    go on the document; an explicit ``buyer_reference`` wins. ``issuer`` is the profile's
    seller entity (None: the configured seller). A document in a currency other than the
    accounting currency states its VAT in that too (``vat_accounting``)."""
    cur, self_billed = plan.currency, document_type == DocumentType.SELF_BILLED
    iban, bic, bank_name = payee_account(document_type, to, settings, issuer)
    sold_by, sold_to = without_vat_ids(parties(document_type, to, settings, issuer, customer_id), {
        x.vat.category for x in (*plan.lines, *plan.adjustments) if x.vat is not None})
    return InvoiceDocument(
        invoice_id=invoice_id, number=number, document_type=document_type,
        customer_id=customer_id, notes=self_billing_notes(document_type, to.language, notes),
        buyer_reference=buyer_reference or to.buyer_reference,
        debtor_number=None if self_billed else to.debtor_number, language=to.language,
        e_invoice_format=EInvoiceFormat(to.e_invoice_format or EInvoiceFormat.FACTUR_X),
        preceding_invoice=preceding,
        issue_date=plan.issue_date, due_date=plan.due_date, period_start=plan.period_start,
        period_end=plan.period_end, delivery_date=plan.supply_date, currency=cur,
        seller=sold_by, buyer=sold_to,
        lines=[InvoiceLine(line_no=n, description=line.description, quantity=line.quantity,
                           unit_code=line.unit_code, unit_price=line.unit_price,
                           net_amount=line.net(cur), vat_category=line.vat.category,
                           vat_rate=line.vat.rate, period_start=line.period_start,
                           period_end=line.period_end, item_ids=list(line.item_ids),
                           allowances=[LineAllowance(amount=a.amount, reason=a.reason,
                                                     reason_code=a.reason_code)
                                       for a in (line.allowance,) if a],
                           conversion=line_conversion(line.converted))
               for n, line in enumerate(plan.lines, start=1)],
        allowances_charges=[AllowanceCharge(
            charge=a.charge, amount=a.amount, reason=a.reason, reason_code=a.reason_code,
            vat_category=a.vat.category, vat_rate=a.vat.rate) for a in plan.adjustments],
        tax_breakdown=[TaxSubtotal(vat_category=g.vat.category, vat_rate=g.vat.rate,
                                   taxable_amount=g.taxable, tax_amount=g.tax,
                                   exemption_reason=g.vat.exemption_reason)
                       for g in plan.totals.groups],
        totals=Totals(line_total=plan.totals.net, tax_total=plan.totals.tax,
                      allowance_total=plan.totals.allowances, charge_total=plan.totals.charges,
                      grand_total=plan.totals.gross, amount_due=plan.totals.gross),
        payment=PaymentInstructions(
            iban=iban, bic=bic, bank_name=bank_name, reference=number,
            terms=payment_terms(document_type, plan, to.language)),
        vat_accounting=vat_accounting(plan, rates, settings.rate_date_rule(issuer),
                                      fixed_rate),
    )
