"""Golden documents: rendered, embedded and validated in this process, then read back.

Each kind of document validates against the XSD and the EN 16931 Schematron with
no failures, carries PDF/A-3 identification, Factur-X XMP metadata and the XML it
was validated with, shows its facts as text, and renders to the same bytes twice.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from decimal import Decimal

import pikepdf
import pytest
from pypdf import PdfReader

from affbill_contracts.invoices import InvoiceDocument, Totals
from affbill_contracts.presentation import presented
from affbill_documents.adapters.renderer import Rendered, Renderer
from affbill_documents.domain.printing import money
from tests.unit.documents.samples import (
    booked_cancellation,
    cancellation,
    converted,
    foreign,
    invoice,
    negated,
    partial_credit_note,
    with_allowances,
)


@pytest.fixture(scope="module")
def renderer() -> Iterator[Renderer]:
    yield Renderer()


GOLDEN = {
    "domestic": lambda: invoice(3),
    "reverse_charge": lambda: invoice(4, reverse_charge=True, number="INV-2026-00043"),
    "multi_page": lambda: invoice(300, number="INV-2026-00044"),
    "cancellation": lambda: cancellation(invoice(2, number="INV-2026-00045")),
    "cancellation_negative": lambda: negated(cancellation(invoice(2, number="INV-2026-00046"))),
    "cancellation_as_booked": lambda: booked_cancellation(invoice(2, number="INV-2026-00047")),
    "credit_note_partial": lambda: partial_credit_note(invoice(4, number="INV-2026-00048"),
                                                       [2, 4]),
    "allowances_and_charges": lambda: with_allowances(),
    "allowances_cancelled": lambda: booked_cancellation(with_allowances("INV-2026-00062")),
    "chf_german_vat": lambda: foreign("CHF", "INV-2026-00070"),
    "gbp_german_vat": lambda: foreign("GBP", "INV-2026-00071"),
    "usd_german_vat": lambda: foreign("USD", "INV-2026-00072"),
    "gbp_credit_note": lambda: booked_cancellation(foreign("GBP", "INV-2026-00073")),
    "converted_multi_currency": lambda: converted(),
}


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize("kind", sorted(GOLDEN))
def test_golden_document_is_valid_pdf_a3_with_its_xml(renderer: Renderer, kind: str) -> None:
    doc: InvoiceDocument = GOLDEN[kind]()
    out: Rendered = renderer.render(doc)

    assert out.valid and out.failed_rules == [], out.findings
    assert [f for f in out.findings if not f["warning"]] == []
    # no warnings either; PEPPOL-EN16931-R008 flags the empty delivery block, which the
    # supply date (issue 14 point 5) fills
    empty_delivery = b"<ram:ApplicableHeaderTradeDelivery/>" in out.xml
    assert [f for f in out.findings
            if not (empty_delivery and f["rule"] == "PEPPOL-EN16931-R008")] == [], out.findings

    with pikepdf.open(io.BytesIO(out.pdf)) as pdf:
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "3" and meta["pdfaid:conformance"] == "B"
        fx = "{urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#}"
        assert meta[f"{fx}DocumentType"] == "INVOICE"
        assert meta[f"{fx}ConformanceLevel"] == "EN 16931"
        assert meta[f"{fx}DocumentFileName"] == "factur-x.xml"
        attached = pdf.attachments["factur-x.xml"]
        assert attached.get_file().read_bytes() == out.xml
        assert str(attached.obj.AFRelationship) == "/Data"

    text = text_of(out.pdf)
    shown = presented(doc)  # a credit note states its amounts positive
    for fact in (doc.number, doc.buyer.name, money(shown.totals.grand_total, "EUR"),
                 money(shown.totals.line_total, "EUR"), money(shown.totals.tax_total, "EUR")):
        assert fact in text, fact
    if shown.vat_accounting is not None:  # Art. 230: the VAT in euro and the rate used
        fx = shown.vat_accounting
        assert b"<ram:TaxCurrencyCode>EUR</ram:TaxCurrencyCode>" in out.xml
        assert (f'<ram:TaxTotalAmount currencyID="EUR">{fx.tax_total}</ram:TaxTotalAmount>'
                .encode()) in out.xml
        assert fx.tax_total > 0 and f"VAT {money(fx.tax_total, 'EUR')} EUR" in text
        assert f"1 EUR = {fx.rate} {doc.currency}" in text and "2026-10-30" in text
    if any(x.conversion for x in doc.lines):  # convert mode: the quotes each line used
        assert "converted into EUR at: 1 EUR = 0.86905 GBP (ecb, 2026-10-30); " in text
        assert "(700.00 GBP)" in text
    assert shown.totals.grand_total >= 0 and all(x.unit_price >= 0 for x in shown.lines)
    if doc.document_type.value == "381":
        assert "Please transfer" not in text and "Due date" not in text
        assert "will be credited to your account or refunded" in text


def test_same_snapshot_renders_to_identical_bytes(renderer: Renderer) -> None:
    doc = invoice(5, reverse_charge=True)
    first, second = renderer.render(doc), Renderer().render(doc)
    assert first.pdf == second.pdf and first.pdf_sha256 == second.pdf_sha256
    assert first.xml == second.xml


def test_multi_page_invoice_numbers_every_page(renderer: Renderer) -> None:
    doc = invoice(300, number="INV-2026-00044")
    pages = PdfReader(io.BytesIO(renderer.render(doc).pdf)).pages
    assert len(pages) > 3
    for n, page in enumerate(pages, start=1):
        text = page.extract_text()
        assert f"Page {n} of {len(pages)}" in text
        assert "Description" in text  # the table header repeats on every page
    assert "Shop CPS offer 300 " in pages[-1].extract_text()


def test_reverse_charge_wording_and_cancellation_reference(renderer: Renderer) -> None:
    rc = text_of(renderer.render(invoice(2, reverse_charge=True)).pdf)
    assert "Reverse charge: VAT to be accounted for by the recipient" in rc
    original = invoice(2, number="INV-2026-00077")
    text = text_of(renderer.render(cancellation(original)).pdf)
    assert "Cancellation INV-2026-00077-S" in text
    assert "This document cancels invoice INV-2026-00077 of 2026-11-01." in text


def test_broken_totals_are_caught_with_the_rule_named(renderer: Renderer) -> None:
    doc = invoice(3)
    wrong = doc.totals.line_total + Decimal("1.00")
    broken = doc.model_copy(update={"totals": Totals(
        line_total=wrong, tax_total=doc.totals.tax_total,
        grand_total=wrong + doc.totals.tax_total, amount_due=wrong + doc.totals.tax_total)})
    out = renderer.render(broken)
    assert not out.valid
    assert "BR-CO-10" in out.failed_rules  # sum of line net amounts = line total
    assert out.pdf  # kept for a person to look at


def test_buyer_name_is_text_never_markup(renderer: Renderer) -> None:
    sneaky = invoice(1).buyer.model_copy(update={"name": '#panic("x") *bold* $x$ <label> \\'})
    out = renderer.render(invoice(1, buyer=sneaky))
    assert '#panic("x") *bold* $x$ <label> \\' in text_of(out.pdf)
