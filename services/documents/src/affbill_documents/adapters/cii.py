"""The EN 16931 CII XML (Factur-X / ZUGFeRD profile EN 16931) of an issued document,
and the XRechnung 3.0 CII XML for buyers who require it.

Built from billing's snapshot as it is: amounts are printed, never recomputed, so
the XML states what the PDF states and the Schematron judges billing's arithmetic.
Element order follows the Factur-X 1.0 EN 16931 XSD. Signs are stated as EN 16931
wants them (:func:`presented`): a credit note's amounts positive, no negative price.
The XRechnung XML is the same CII with the XRechnung specification identifier
(BT-24), the seller contact (BG-6, BT-41..43) and the seller's electronic address
(BT-34) that the XRechnung rules ask for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from lxml import etree

from affbill_contracts.common import PostalAddress
from affbill_contracts.invoices import (
    AllowanceCharge,
    InvoiceDocument,
    InvoiceLine,
    Party,
    TaxSubtotal,
)
from affbill_contracts.presentation import is_credit, presented
from affbill_documents.domain.printing import plain

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "qdt": QDT, "udt": UDT}
EN16931 = "urn:cen.eu:en16931:2017"
XRECHNUNG_VERSION = "3.0"
XRECHNUNG = f"{EN16931}#compliant#urn:xeinkauf.de:kosit:xrechnung_{XRECHNUNG_VERSION}"
PEPPOL_BILLING = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"  # BT-23, as XRechnung asks
# VATEX codes for the categories that carry no VAT (EN 16931 BT-121)
EXEMPTION_CODES = {"AE": "VATEX-EU-AE", "K": "VATEX-EU-IC", "G": "VATEX-EU-G",
                   "O": "VATEX-EU-O"}


@dataclass(frozen=True)
class SellerContact:
    """The seller's contact (BG-6) XRechnung requires; from the documents settings."""

    name: str = "Billing team"  # BT-41 contact point
    phone: str = "+49 30 0000000"  # BT-42
    email: str = "billing@affiliate-network.example"  # BT-43


def _el(parent: etree._Element, ns: str, tag: str, text: str | None = None,
        **attrs: str) -> etree._Element:
    node = etree.SubElement(parent, f"{{{ns}}}{tag}", attrs)
    if text is not None:
        node.text = text
    return node


def _ram(parent: etree._Element, tag: str, text: str | None = None, **attrs: str
         ) -> etree._Element:
    return _el(parent, RAM, tag, text, **attrs)


def _date(parent: etree._Element, tag: str, day: dt.date, ns: str = UDT) -> None:
    _el(_ram(parent, tag), ns, "DateTimeString", day.strftime("%Y%m%d"), format="102")


def _amount(value: Decimal) -> str:
    return plain(value)


def _address(parent: etree._Element, address: PostalAddress) -> None:
    node = _ram(parent, "PostalTradeAddress")
    if address.postal_code:
        _ram(node, "PostcodeCode", address.postal_code)
    for tag, line in zip(("LineOne", "LineTwo", "LineThree"), address.lines, strict=False):
        _ram(node, tag, line)
    if address.city:
        _ram(node, "CityName", address.city)
    _ram(node, "CountryID", address.country_code or "")
    if address.region:
        _ram(node, "CountrySubDivisionName", address.region)


def _contact(parent: etree._Element, contact: SellerContact) -> None:
    node = _ram(parent, "DefinedTradeContact")
    _ram(node, "PersonName", contact.name)
    _ram(_ram(node, "TelephoneUniversalCommunication"), "CompleteNumber", contact.phone)
    _ram(_ram(node, "EmailURIUniversalCommunication"), "URIID", contact.email)


def _party(parent: etree._Element, tag: str, party: Party, *, seller: bool,
           contact: SellerContact | None = None, party_id: str | None = None,
           vat_ids: bool = True) -> None:
    """A seller or buyer. ``party_id``: the buyer's debtor number (BT-46). ``vat_ids``
    False (a document "not subject to VAT", BR-O-02): no VAT id; the seller is then known
    by its register entry (BT-30, BR-CO-26) and its tax number."""
    node = _ram(parent, tag)
    party_id = party_id or party.party_id  # BT-46 of a buyer; BT-29 of a self-billing seller
    if party_id:
        _ram(node, "ID", party_id)
    _ram(node, "Name", party.name)
    if seller and party.company_register:
        _ram(node, "Description", party.company_register)  # BT-33
    if seller and (party.legal_registration_id or (not vat_ids and party.company_register)):
        _ram(_ram(node, "SpecifiedLegalOrganization"), "ID",  # BT-30
             party.legal_registration_id or party.company_register)
    email = party.email
    if contact is not None:  # XRechnung: BG-6, and BT-34 falls back to the contact's e-mail
        email = email or contact.email
        _contact(node, contact)
    _address(node, party.address)
    if email:
        _ram(_ram(node, "URIUniversalCommunication"), "URIID", email, schemeID="EM")
    if party.vat_id and vat_ids:
        _ram(_ram(node, "SpecifiedTaxRegistration"), "ID", party.vat_id, schemeID="VA")
    if seller and party.tax_number:
        _ram(_ram(node, "SpecifiedTaxRegistration"), "ID", party.tax_number, schemeID="FC")


def _period(parent: etree._Element, start: dt.date | None, end: dt.date | None) -> None:
    if start is None and end is None:
        return
    node = _ram(parent, "BillingSpecifiedPeriod")
    if start:
        _date(node, "StartDateTime", start)
    if end:
        _date(node, "EndDateTime", end)


def _delivery(transaction: etree._Element, doc: InvoiceDocument) -> None:
    """BG-13/BG-15: delivered to the buyer's address and country (BT-80) on the date of
    supply (BT-72, else the service period's end), so the block is never empty
    (PEPPOL-EN16931-R008)."""
    node = _ram(transaction, "ApplicableHeaderTradeDelivery")
    if doc.buyer.address.country_code:  # the buyer's address (XRechnung BR-DE-10/11)
        _address(_ram(node, "ShipToTradeParty"), doc.buyer.address)
    supplied = doc.delivery_date or doc.period_end
    if supplied:
        _date(_ram(node, "ActualDeliverySupplyChainEvent"), "OccurrenceDateTime", supplied)


def _line(parent: etree._Element, line: InvoiceLine) -> None:
    node = _ram(parent, "IncludedSupplyChainTradeLineItem")
    _ram(_ram(node, "AssociatedDocumentLineDocument"), "LineID", str(line.line_no))
    _ram(_ram(node, "SpecifiedTradeProduct"), "Name", line.description)
    price = _ram(_ram(node, "SpecifiedLineTradeAgreement"), "NetPriceProductTradePrice")
    _ram(price, "ChargeAmount", _amount(line.unit_price))
    _ram(_ram(node, "SpecifiedLineTradeDelivery"), "BilledQuantity", plain(line.quantity),
         unitCode=line.unit_code)
    settlement = _ram(node, "SpecifiedLineTradeSettlement")
    tax = _ram(settlement, "ApplicableTradeTax")
    _ram(tax, "TypeCode", "VAT")
    _ram(tax, "CategoryCode", line.vat_category.value)
    if line.vat_category.value != "O":  # "not subject to VAT" carries no rate (BR-O-05)
        _ram(tax, "RateApplicablePercent", plain(line.vat_rate))
    _period(settlement, line.period_start, line.period_end)
    for allowance in line.allowances:  # BG-27, already deducted from BT-131
        _allowance_charge(settlement, False, allowance.amount, allowance.reason,
                          allowance.reason_code)
    _ram(_ram(settlement, "SpecifiedTradeSettlementLineMonetarySummation"), "LineTotalAmount",
         _amount(line.net_amount))


def _allowance_charge(parent: etree._Element, charge: bool, amount: Decimal,
                      reason: str | None, reason_code: str | None,
                      vat: tuple[str, Decimal] | None = None) -> None:
    """BG-27 (on a line, ``vat`` None) or BG-20/BG-21 (document level, with its VAT)."""
    node = _ram(parent, "SpecifiedTradeAllowanceCharge")
    _el(_ram(node, "ChargeIndicator"), UDT, "Indicator", "true" if charge else "false")
    _ram(node, "ActualAmount", _amount(amount))
    if reason_code:
        _ram(node, "ReasonCode", reason_code)
    if reason:
        _ram(node, "Reason", reason)
    if vat is not None:
        tax = _ram(node, "CategoryTradeTax")
        _ram(tax, "TypeCode", "VAT")
        _ram(tax, "CategoryCode", vat[0])
        if vat[0] != "O":
            _ram(tax, "RateApplicablePercent", plain(vat[1]))


def _document_allowance(parent: etree._Element, ac: AllowanceCharge) -> None:
    _allowance_charge(parent, ac.charge, ac.amount, ac.reason, ac.reason_code,
                      (ac.vat_category.value, ac.vat_rate))


def _payment(settlement: etree._Element, doc: InvoiceDocument) -> None:
    """Payment means (BG-16): the seller's account, on every document (XRechnung's BR-DE-1
    asks for it on a credit note too; what the PDF asks of the reader is printing's)."""
    if not doc.payment.iban:
        return
    means = _ram(settlement, "SpecifiedTradeSettlementPaymentMeans")
    _ram(means, "TypeCode", "58" if doc.currency == "EUR" else "30")  # SEPA / credit transfer
    _ram(_ram(means, "PayeePartyCreditorFinancialAccount"), "IBANID", doc.payment.iban)
    if doc.payment.bic:
        _ram(_ram(means, "PayeeSpecifiedCreditorFinancialInstitution"), "BICID",
             doc.payment.bic)


def _terms(settlement: etree._Element, doc: InvoiceDocument) -> None:
    """Payment terms (BT-20); a due date (BT-9) only where something is to be paid."""
    terms = _ram(settlement, "SpecifiedTradePaymentTerms")
    _ram(terms, "Description", doc.payment.terms)
    if not is_credit(doc):
        _date(terms, "DueDateDateTime", doc.due_date)


def _summation(settlement: etree._Element, doc: InvoiceDocument) -> None:
    """BG-22: BT-109 = BT-106 - BT-107 + BT-108 (BR-CO-13), as billing computed them."""
    t = doc.totals
    totals = _ram(settlement, "SpecifiedTradeSettlementHeaderMonetarySummation")
    _ram(totals, "LineTotalAmount", _amount(t.line_total))
    if doc.allowances_charges:
        _ram(totals, "ChargeTotalAmount", _amount(t.charge_total))
        _ram(totals, "AllowanceTotalAmount", _amount(t.allowance_total))
    _ram(totals, "TaxBasisTotalAmount",
         _amount(t.line_total - t.allowance_total + t.charge_total))
    _ram(totals, "TaxTotalAmount", _amount(t.tax_total), currencyID=doc.currency)
    if doc.vat_accounting is not None:  # BT-111: the VAT total in the accounting currency
        _ram(totals, "TaxTotalAmount", _amount(doc.vat_accounting.tax_total),
             currencyID=doc.vat_accounting.currency)
    _ram(totals, "GrandTotalAmount", _amount(t.grand_total))
    _ram(totals, "DuePayableAmount", _amount(t.amount_due))


def _tax(parent: etree._Element, group: TaxSubtotal) -> None:
    node = _ram(parent, "ApplicableTradeTax")
    category = group.vat_category.value
    _ram(node, "CalculatedAmount", _amount(group.tax_amount))
    _ram(node, "TypeCode", "VAT")
    if group.exemption_reason and category not in ("S", "Z"):  # BR-S-10, BR-Z-10
        _ram(node, "ExemptionReason", group.exemption_reason)
    _ram(node, "BasisAmount", _amount(group.taxable_amount))
    _ram(node, "CategoryCode", category)
    if category in EXEMPTION_CODES:
        _ram(node, "ExemptionReasonCode", EXEMPTION_CODES[category])
    # BT-119 even for O (rate 0): XRechnung's BR-DE-14 asks for it; only the line's and the
    # allowance's rate (BT-152/96/103) must be absent there (BR-O-05..07)
    _ram(node, "RateApplicablePercent", plain(group.vat_rate))


def cii_xml(doc: InvoiceDocument) -> bytes:
    """The EN 16931 CII XML (factur-x.xml), UTF-8, deterministic for the same snapshot."""
    return _cii(presented(doc), EN16931)


def xrechnung_xml(doc: InvoiceDocument, contact: SellerContact) -> bytes:
    """The XRechnung 3.0 CII XML of the document, UTF-8, deterministic likewise."""
    return _cii(presented(doc), XRECHNUNG, process=PEPPOL_BILLING, contact=contact)


def _cii(doc: InvoiceDocument, specification: str, *, process: str | None = None,
         contact: SellerContact | None = None) -> bytes:
    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NSMAP)
    context = _el(root, RSM, "ExchangedDocumentContext")
    if process:
        _ram(_ram(context, "BusinessProcessSpecifiedDocumentContextParameter"), "ID", process)
    _ram(_ram(context, "GuidelineSpecifiedDocumentContextParameter"), "ID", specification)

    header = _el(root, RSM, "ExchangedDocument")
    _ram(header, "ID", doc.number)
    _ram(header, "TypeCode", doc.document_type.value)
    _date(header, "IssueDateTime", doc.issue_date)
    for note in doc.notes:
        _ram(_ram(header, "IncludedNote"), "Content", note)

    transaction = _el(root, RSM, "SupplyChainTradeTransaction")
    for line in doc.lines:
        _line(transaction, line)

    agreement = _ram(transaction, "ApplicableHeaderTradeAgreement")
    if doc.buyer_reference:
        _ram(agreement, "BuyerReference", doc.buyer_reference)
    vat_ids = not any(x.vat_category.value == "O" for x in doc.lines)
    _party(agreement, "SellerTradeParty", doc.seller, seller=True, contact=contact,
           vat_ids=vat_ids)
    _party(agreement, "BuyerTradeParty", doc.buyer, seller=False, party_id=doc.debtor_number,
           vat_ids=vat_ids)
    _delivery(transaction, doc)

    settlement = _ram(transaction, "ApplicableHeaderTradeSettlement")
    _ram(settlement, "PaymentReference", doc.payment.reference)
    if doc.vat_accounting is not None:  # BT-6: the seller's VAT accounting currency
        _ram(settlement, "TaxCurrencyCode", doc.vat_accounting.currency)
    _ram(settlement, "InvoiceCurrencyCode", doc.currency)
    _payment(settlement, doc)
    for group in doc.tax_breakdown:
        _tax(settlement, group)
    _period(settlement, doc.period_start, doc.period_end)
    for ac in doc.allowances_charges:
        _document_allowance(settlement, ac)
    _terms(settlement, doc)
    _summation(settlement, doc)
    if doc.preceding_invoice:
        ref = _ram(settlement, "InvoiceReferencedDocument")
        _ram(ref, "IssuerAssignedID", doc.preceding_invoice.number)
        _date(ref, "FormattedIssueDateTime", doc.preceding_invoice.issue_date, ns=QDT)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
