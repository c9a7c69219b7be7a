"""Golden XRechnung documents: besides the Factur-X PDF, an XRechnung 3.0 CII XML that
passes the XSD, the EN 16931 Schematron and the KoSIT XRechnung Schematron."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

import pikepdf
import pytest
from lxml import etree

from affbill_contracts.invoices import EInvoiceFormat
from affbill_documents.adapters.cii import EN16931, XRECHNUNG, SellerContact
from affbill_documents.adapters.renderer import Renderer
from tests.unit.documents.samples import (
    EU_BUYER,
    EU_BUYER_EMAIL,
    LEITWEG_ID,
    cancellation,
    foreign,
    invoice,
    negated,
    xrechnung_invoice,
)

RAM = {"ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
       "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"}
CONTACT = SellerContact("Forderungsmanagement", "+49 30 1234567", "ar@network.example")


@pytest.fixture(scope="module")
def renderer() -> Iterator[Renderer]:
    yield Renderer(CONTACT)


def xpath(xml: bytes, path: str) -> list[str]:
    return [str(v) for v in etree.fromstring(xml).xpath(path, namespaces=RAM)]


GOLDEN = {
    "domestic": lambda: xrechnung_invoice(3),
    "reverse_charge": lambda: xrechnung_invoice(2, reverse_charge=True, buyer=EU_BUYER.model_copy(
        update={"email": EU_BUYER_EMAIL})),
    "cancellation": lambda: cancellation(xrechnung_invoice(2, number="INV-2026-00051")),
    "cancellation_negative": lambda: negated(cancellation(xrechnung_invoice(
        2, number="INV-2026-00052"))),
}


@pytest.mark.parametrize("kind", sorted(GOLDEN))
def test_golden_xrechnung_validates_with_zero_errors(renderer: Renderer, kind: str) -> None:
    out = renderer.render(GOLDEN[kind]())
    assert out.valid and out.failed_rules == [], out.findings
    assert [f for f in out.findings if not f["warning"]] == []
    assert out.e_invoice_format == "xrechnung" and out.xrechnung is not None
    assert out.findings == []  # no warnings either (the delivery block is filled)
    # the KoSIT rules run on this kind: without its Leitweg-ID it fails BR-DE-15
    unreferenced = renderer.render(GOLDEN[kind]().model_copy(update={"buyer_reference": None}))
    assert [f["xml"] for f in unreferenced.findings if f["rule"] == "BR-DE-15"] == ["xrechnung"]
    xml = out.xrechnung
    context = "/rsm:CrossIndustryInvoice/rsm:ExchangedDocumentContext/"
    assert xpath(xml, context + "ram:GuidelineSpecifiedDocumentContextParameter/ram:ID/text()"
                 ) == [XRECHNUNG]  # BT-24
    assert XRECHNUNG == "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
    assert xpath(xml, "//ram:ApplicableHeaderTradeAgreement/ram:BuyerReference/text()"
                 ) == [LEITWEG_ID]  # BT-10
    seller = "//ram:SellerTradeParty/ram:DefinedTradeContact/"
    assert xpath(xml, seller + "ram:PersonName/text()") == [CONTACT.name]  # BT-41
    assert xpath(xml, seller + "ram:TelephoneUniversalCommunication/ram:CompleteNumber/text()"
                 ) == [CONTACT.phone]  # BT-42
    assert xpath(xml, seller + "ram:EmailURIUniversalCommunication/ram:URIID/text()"
                 ) == [CONTACT.email]  # BT-43
    assert xpath(xml, "//ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode/text()") == ["58"]


def test_the_pdf_stays_factur_x_and_the_xrechnung_is_reproducible(renderer: Renderer) -> None:
    doc = xrechnung_invoice(2)
    out = renderer.render(doc)
    with pikepdf.open(io.BytesIO(out.pdf)) as pdf:
        embedded = pdf.attachments["factur-x.xml"].get_file().read_bytes()
    assert embedded == out.xml != out.xrechnung
    assert xpath(out.xml, "//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID/text()"
                 ) == [EN16931]
    again = Renderer(CONTACT).render(doc)
    assert again.xrechnung == out.xrechnung and again.xrechnung_sha256 == out.xrechnung_sha256


def test_factur_x_buyers_get_no_xrechnung(renderer: Renderer) -> None:
    out = renderer.render(invoice(2, buyer_reference=LEITWEG_ID))
    assert out.valid and out.xrechnung is None and out.xrechnung_sha256 is None
    assert out.e_invoice_format == "factur-x"
    assert {f["xml"] for f in out.findings} <= {"factur-x"}


def test_xrechnung_rules_are_enforced_with_their_ids(renderer: Renderer) -> None:
    no_reference = renderer.render(xrechnung_invoice(1, buyer_reference=None))
    assert not no_reference.valid and no_reference.failed_rules == ["BR-DE-15"]  # BT-10
    no_postcode = xrechnung_invoice(1).buyer.model_copy(update={
        "address": invoice(1).buyer.address.model_copy(update={"postal_code": None})})
    out = renderer.render(xrechnung_invoice(1, buyer=no_postcode))
    # buyer post code, and the delivery address (BG-15, the buyer's) lacks it too
    assert out.failed_rules == ["BR-DE-11", "BR-DE-9"]
    assert {f["xml"] for f in out.findings if not f["warning"]} == {"xrechnung"}
    assert out.pdf  # kept for a person to look at


def test_a_buyer_without_electronic_address_is_an_error_for_xrechnung(renderer: Renderer
                                                                      ) -> None:
    """PEPPOL-EN16931-R010 (BT-49) is flagged a warning by the CII Schematron; the XRechnung
    validator configuration rejects it, and so do we. The Factur-X XML is not affected."""
    out = renderer.render(xrechnung_invoice(1, buyer=invoice(1).buyer))
    assert not out.valid and out.failed_rules == ["PEPPOL-EN16931-R010"]
    (finding,) = [f for f in out.findings if f["rule"] == "PEPPOL-EN16931-R010"]
    assert finding["xml"] == "xrechnung" and finding["warning"] is False
    assert renderer.render(invoice(1)).valid  # no XRechnung: BT-49 is optional


def test_the_delivery_block_carries_the_supply_date_and_country(renderer: Renderer) -> None:
    doc = xrechnung_invoice(1)
    out = renderer.render(doc)
    for xml in (out.xml, out.xrechnung):
        assert xpath(xml, "//ram:ApplicableHeaderTradeDelivery/ram:ShipToTradeParty/"
                          "ram:PostalTradeAddress/ram:CountryID/text()") == ["DE"]  # BT-80
        assert xpath(xml, "//ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime/"
                          "*/text()") == ["20261031"]  # BT-72: the period's end
    dated = renderer.render(xrechnung_invoice(1, delivery_date=dt.date(2026, 10, 15)))
    assert xpath(dated.xml, "//ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime/"
                            "*/text()") == ["20261015"]
    assert not [f for f in out.findings + dated.findings if f["rule"] == "PEPPOL-EN16931-R008"]


def test_the_debtor_number_is_the_buyer_identifier(renderer: Renderer) -> None:
    out = renderer.render(xrechnung_invoice(1, debtor_number="10042"))
    assert out.valid and out.findings == []
    for xml in (out.xml, out.xrechnung):
        assert xpath(xml, "//ram:BuyerTradeParty/ram:ID/text()") == ["10042"]  # BT-46
def test_a_gbp_xrechnung_states_its_vat_in_euro(renderer: Renderer) -> None:
    doc = foreign("GBP", "INV-2026-00090").model_copy(update={
        "buyer": xrechnung_invoice(1).buyer, "buyer_reference": LEITWEG_ID,
        "e_invoice_format": EInvoiceFormat.XRECHNUNG})
    out = renderer.render(doc)
    assert out.valid and out.failed_rules == [], out.findings
    assert [f for f in out.findings if not f["warning"]] == []
    assert out.xrechnung is not None and doc.vat_accounting is not None
    assert xpath(out.xrechnung, "//ram:TaxCurrencyCode/text()") == ["EUR"]  # BT-6
    assert xpath(out.xrechnung, "//ram:TaxTotalAmount[@currencyID='EUR']/text()") == [
        str(doc.vat_accounting.tax_total)]  # BT-111
