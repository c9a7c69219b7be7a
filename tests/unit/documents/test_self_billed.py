"""Self-billed credit notes (EN 16931 type 389, "Gutschrift") for every affiliate tax status,
built as a run builds them (the affiliate's profile: its terms, its party, its bank), pass
billing's gate, render to PDF/A-3 and carry XML valid with zero errors (XSD + Schematron):
the affiliate is the seller, the network the buyer, with the self-billing statement."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Iterator
from decimal import Decimal

import pikepdf
import pytest
from pypdf import PdfReader

from affbill_billing.config import Settings
from affbill_billing.domain.billing_profile import BillingProfile
from affbill_billing.domain.dates import InvoiceDateRule
from affbill_billing.domain.en16931 import check
from affbill_billing.domain.grouping import LineGrouping
from affbill_billing.domain.invoicing import document_type, plan_invoice
from affbill_billing.domain.payouts import AffiliateTaxStatus, BankDetails
from affbill_billing.service_layer.documents import created_line, numbered, snapshot
from affbill_contracts.invoices import DocumentType, InvoiceDocument
from affbill_documents.adapters.renderer import Renderer
from tests.unit.documents.vat_samples import ADDRESSES, TODAY, items

# (name, country, VAT id, tax number, status set on the profile or None: decided)
AFFILIATES = {
    AffiliateTaxStatus.DOMESTIC_VAT: ("Klick Medien GmbH", "DE", "DE136695976", None, None),
    AffiliateTaxStatus.EU_REVERSE_CHARGE: ("Publicité Lumière SARL", "FR", "FR40303265045",
                                           None, None),
    AffiliateTaxStatus.NON_EU: ("Stark Traffic Inc.", "US", None, None, None),
    AffiliateTaxStatus.SMALL_BUSINESS: ("Jana Berger Webdesign", "DE", None, "21/815/08150",
                                        AffiliateTaxStatus.SMALL_BUSINESS),
    AffiliateTaxStatus.NOT_A_BUSINESS: ("Tom Privat", "AT", None, None,
                                        AffiliateTaxStatus.NOT_A_BUSINESS),
}
CATEGORY = {AffiliateTaxStatus.DOMESTIC_VAT: "S", AffiliateTaxStatus.EU_REVERSE_CHARGE: "AE",
            AffiliateTaxStatus.NON_EU: "O", AffiliateTaxStatus.SMALL_BUSINESS: "E",
            AffiliateTaxStatus.NOT_A_BUSINESS: "O"}


def affiliate_profile(status: AffiliateTaxStatus, language: str = "en") -> BillingProfile:
    name, country, vat_id, tax_number, set_status = AFFILIATES[status]
    return BillingProfile(
        customer_id=f"hasoffers-sim:affiliate:{1000 + len(name)}", name=name,
        billing_name=name, billing_currency="EUR", threshold_amount=Decimal("50"),
        threshold_currency="EUR", payment_days=10, invoice_date_rule=InvoiceDateRule.TODAY,
        drafts_by_default=False, line_grouping=LineGrouping.OFFER_PER_PERIOD,
        number_series="self-billed", address=dict(ADDRESSES[country]), country=country,
        vat_id=vat_id, language=language, tax_status=set_status, tax_number=tax_number,
        bank=BankDetails(name, "DE89370400440532013000", "COBADEFFXXX", "Commerzbank"))


def credit_note(status: AffiliateTaxStatus, language: str = "en") -> InvoiceDocument:
    """The self-billed credit note a run issues to the affiliate of this status."""
    profile = affiliate_profile(status, language)
    settings = Settings(seller_country="DE")
    plan = plan_invoice(items(3), "EUR", profile.terms(settings.domestic_vat_rate, "DE"), TODAY)
    kind = document_type(plan.totals.net, profile.side)
    doc = snapshot(uuid.uuid4(), "(pending)", profile.customer_id, plan, profile.buyer(),
                   settings, document_type=kind, notes=profile.notes())
    return numbered(doc, f"SB-2026-{list(AffiliateTaxStatus).index(status) + 1:05d}")


@pytest.fixture(scope="module")
def renderer() -> Iterator[Renderer]:
    yield Renderer()


@pytest.mark.parametrize("status", list(AffiliateTaxStatus))
def test_every_tax_status_renders_a_valid_self_billed_credit_note(
        renderer: Renderer, status: AffiliateTaxStatus) -> None:
    doc = credit_note(status)
    assert doc.document_type is DocumentType.SELF_BILLED
    assert check(doc) == []
    out = renderer.render(doc)
    assert out.valid and out.failed_rules == [], out.findings
    assert [f for f in out.findings if not f["warning"]] == [], out.findings
    xml = out.xml.decode()
    assert "<ram:TypeCode>389</ram:TypeCode>" in xml
    assert {line.vat_category.value for line in doc.lines} == {CATEGORY[status]}
    # the affiliate sells, the network buys
    name = AFFILIATES[status][0]
    assert doc.seller.name == name and doc.buyer.name == "Affiliate Network GmbH"
    seller_block = xml.split("<ram:SellerTradeParty>")[1].split("</ram:SellerTradeParty>")[0]
    assert name in seller_block
    assert "Self-billing" in xml and "Art. 226(10a)" in xml
    with pikepdf.open(io.BytesIO(out.pdf)) as pdf:
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "3"
        assert pdf.attachments["factur-x.xml"].get_file().read_bytes() == out.xml
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(out.pdf)).pages)
    assert "Self-billed credit note" in text and "Please transfer" not in text
    assert "DE89370400440532013000" in text  # paid out to the affiliate's account


def test_vat_follows_the_affiliates_status() -> None:
    domestic = credit_note(AffiliateTaxStatus.DOMESTIC_VAT)
    assert domestic.totals.tax_total > 0 and domestic.seller.vat_id == "DE136695976"
    reverse = credit_note(AffiliateTaxStatus.EU_REVERSE_CHARGE)
    assert reverse.totals.tax_total == 0 and reverse.buyer.vat_id  # the network's, BR-AE-03
    assert "Reverse charge" in (reverse.tax_breakdown[0].exemption_reason or "")
    small = credit_note(AffiliateTaxStatus.SMALL_BUSINESS)
    assert small.seller.tax_number == "21/815/08150" and small.totals.tax_total == 0
    assert "§ 19 UStG" in (small.tax_breakdown[0].exemption_reason or "")
    private = credit_note(AffiliateTaxStatus.NOT_A_BUSINESS)
    assert private.seller.vat_id is None and private.buyer.vat_id is None  # BR-O-02


def test_german_credit_note_says_gutschrift_and_the_law(renderer: Renderer) -> None:
    doc = credit_note(AffiliateTaxStatus.DOMESTIC_VAT, language="de")
    assert "§ 14 Abs. 4 Satz 1 Nr. 10 UStG" in doc.notes[0]
    out = renderer.render(doc)
    assert out.valid, out.findings
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(out.pdf)).pages)
    assert "Gutschrift" in text


def test_job_log_names_the_affiliate() -> None:
    doc = credit_note(AffiliateTaxStatus.NON_EU)
    assert created_line(doc) == f"Credit note {doc.number} created for Stark Traffic Inc."


def test_due_date_is_the_payout_day() -> None:
    doc = credit_note(AffiliateTaxStatus.NON_EU)
    assert doc.due_date == TODAY + dt.timedelta(days=10)


def facts_rows(pdf: bytes) -> list[tuple[float, str, float, str]]:
    """The facts block beside the window as (label x, label, value x, value) per row."""
    runs: list[tuple[float, float, float, str]] = []

    def seen(text: str, cm: list[float], tm: list[float], _font: object, size: float) -> None:
        if text.strip():
            runs.append((tm[4] * cm[0] + cm[4], round(tm[5] * cm[3] + cm[5], 1), size, text))

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=seen)
    labels = [r for r in runs if 300 < r[0] < 340 and r[1] > 600]  # the block's left edge
    return [(x, text.strip(), vx, value.strip()) for x, y, _, text in labels
            for vx, vy, _, value in runs if vy == y and vx > x + 1]


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_number_never_runs_into_its_label(renderer: Renderer, language: str) -> None:
    """The facts block once printed "Self-billed credit note (self-billing) no." across the
    number; the label is the short title now and a long label wraps, never overlaps."""
    doc = credit_note(AffiliateTaxStatus.DOMESTIC_VAT, language)
    rows = facts_rows(renderer.render(doc).pdf)
    assert rows[0][1] == {"en": "Credit note no.", "de": "Gutschrift Nr."}[language]
    assert rows[0][3] == doc.number
    for label_x, label, value_x, value in rows:
        # a generous estimate of the label's width at 8.5 pt (wide glyphs ~0.6 em)
        assert label_x + len(label) * 8.5 * 0.6 < value_x, (label, value)
