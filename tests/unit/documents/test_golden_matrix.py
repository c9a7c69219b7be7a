"""Issue 14's golden matrix: every VAT case (S, AE, O, E, EU consumer) × kind of
document validates with zero errors AND zero warnings from the XSD and the EN 16931
Schematron, and, for XRechnung, from the KoSIT XRechnung Schematron (weighed as its
validator configuration does); the billing gate lets each of them through before
numbering."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from lxml import etree

from affbill_billing.domain.en16931 import check
from affbill_documents.adapters.cii import SellerContact
from affbill_documents.adapters.renderer import Renderer
from tests.unit.documents.golden_matrix import CATEGORY, KINDS, VAT_CASES, golden

RAM = {"ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"}


@pytest.fixture(scope="module")
def renderer() -> Iterator[Renderer]:
    yield Renderer(SellerContact("Forderungsmanagement", "+49 30 1234567", "ar@network.example"))


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("case", sorted(VAT_CASES))
def test_every_golden_document_has_no_error_and_no_warning(renderer: Renderer, case: str,
                                                           kind: str) -> None:
    doc = golden(case, kind)
    assert check(doc) == []  # the gate before numbering agrees
    out = renderer.render(doc)
    assert out.valid and out.findings == [], out.findings
    assert (out.xrechnung is not None) == (kind == "xrechnung")
    for xml in filter(None, (out.xml, out.xrechnung)):
        root = etree.fromstring(xml)
        category = root.xpath("//ram:ApplicableTradeTax/ram:CategoryCode/text()",
                              namespaces=RAM)
        assert set(category) == {CATEGORY.get(case, case)}
        # BG-13: supply date and delivery country are stated, the block is never empty
        assert root.xpath("//ram:ActualDeliverySupplyChainEvent//text()", namespaces=RAM)
        assert root.xpath("//ram:ShipToTradeParty//ram:CountryID/text()", namespaces=RAM)
