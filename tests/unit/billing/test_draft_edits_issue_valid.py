"""Issue 14's property: any sequence of draft edits gives either a valid issued document or a
refusal (422) before numbering — never a number on a document the documents service would
find invalid.

A random custom draft is edited at random (lines added, repriced, discounted, removed;
document allowances and charges; tax treatment; buyer VAT id; date of supply; e-invoice
format). Each edit the domain refuses is a 422 naming the field (the draft stays as it
was). Then Create's path runs without the database: ``Draft.plan`` (422 on a missing date
of supply), the snapshot as billing builds it and the EN 16931 gate (422 with the rule).
If the gate lets the document through, the XSD, the EN 16931 Schematron and, for
XRechnung, the KoSIT Schematron must find no error in it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from affbill_billing.config import Settings
from affbill_billing.domain.billing_profile import buyer_of
from affbill_billing.domain.dates import InvoiceDateRule
from affbill_billing.domain.drafts import Draft, Presets
from affbill_billing.domain.grouping import LineGrouping
from affbill_billing.domain.invoice_lines import Allowance, AllowanceCharge, Line
from affbill_billing.domain.invoicing import basis, document_type
from affbill_billing.domain.line_rules import DraftError, vat
from affbill_billing.domain.profiles import TaxTreatment
from affbill_billing.service_layer.documents import PENDING_NUMBER, snapshot, validated
from affbill_billing.service_layer.errors import InvalidDocument
from affbill_contracts.invoices import EInvoiceFormat
from affbill_documents.adapters.cii import SellerContact, cii_xml, xrechnung_xml
from affbill_documents.adapters.validation import Validator

TODAY = dt.date(2026, 11, 2)
SETTINGS = Settings()
RATE = SETTINGS.domestic_vat_rate
VATS = [("S", RATE), ("S", Decimal(7)), ("AE", Decimal(0)), ("O", Decimal(0)),
        ("E", Decimal(0)), ("G", Decimal(0)), ("K", Decimal(0)), ("Z", Decimal(0)),
        ("AE", RATE), ("S", Decimal(0))]
PRESETS = Presets(
    "Acme Media GmbH", TaxTreatment.DOMESTIC, "EUR", 14, InvoiceDateRule.TODAY,
    LineGrouping.OFFER_PER_PERIOD, "default", country="DE", supply_date=dt.date(2026, 10, 20),
    address={"lines": ["Hauptstraße 5"], "postal_code": "10115", "city": "Berlin",
             "country_code": "DE"})

quantity = st.decimals(Decimal(-20), Decimal(500), places=2)
price = st.decimals(Decimal(-50), Decimal(2000), places=4)
amount = st.decimals(Decimal(0), Decimal(300), places=2)
index = st.integers(0, 4)
EDITS = st.one_of(
    st.tuples(st.just("add"), quantity, price, st.sampled_from(VATS)),
    st.tuples(st.just("price"), index, price),
    st.tuples(st.just("quantity"), index, quantity),
    st.tuples(st.just("remove"), index),
    st.tuples(st.just("discount"), index, amount),
    st.tuples(st.just("adjust"), st.booleans(), amount, st.sampled_from([None, *VATS])),
    st.tuples(st.just("tax_treatment"), st.sampled_from(list(TaxTreatment))),
    st.tuples(st.just("vat_id"), st.sampled_from([None, "DE123456789"])),
    st.tuples(st.just("supply_date"), st.sampled_from([None, dt.date(2026, 10, 20)])),
    st.tuples(st.just("xrechnung"), st.booleans(), st.booleans()),
)


def _line_id(draft: Draft, n: int) -> uuid.UUID:
    if not draft.lines:
        raise DraftError("lines", "no line to edit")
    return draft.lines[n % len(draft.lines)].line_id


def _edit(draft: Draft, edit: tuple[Any, ...]) -> None:
    """Apply one edit as the API would; DraftError (a 422) leaves the draft as it was."""
    what, *args = edit
    if what == "add":
        qty, unit_price, (category, rate) = args
        draft.add_line(Line("Extra service", qty, unit_price, vat(category, rate)))
    elif what in ("price", "quantity"):
        key = "unit_price" if what == "price" else "quantity"
        draft.edit_line(_line_id(draft, args[0]), {key: args[1]})
    elif what == "remove":
        draft.remove_line(_line_id(draft, args[0]))
    elif what == "discount":
        draft.edit_line(_line_id(draft, args[0]),
                        {"allowance": Allowance(args[1], "Volume discount", "95")})
    elif what == "adjust":
        charge, value, tax = args
        draft.change_presets({"allowances_charges": [AllowanceCharge(
            charge, value, vat(*tax) if tax else None,  # type: ignore[arg-type]
            "Handling" if charge else "Loyalty discount")]}, RATE)
    elif what == "xrechnung":
        reference, email = args
        draft.change_presets({"e_invoice_format": EInvoiceFormat.XRECHNUNG.value,
                              "buyer_reference": "04011000-12345-67" if reference else None,
                              "buyer_email": "rechnung@acme.example" if email else None}, RATE)
    else:
        draft.change_presets({what: args[0]}, RATE)


@pytest.fixture(scope="module")
def validator() -> Iterator[Validator]:
    yield Validator()


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(EDITS, max_size=8))
def test_any_draft_edits_give_a_valid_document_or_a_422_before_numbering(
        validator: Validator, edits: list[tuple[Any, ...]]) -> None:
    draft = Draft.custom(PRESETS, [Line("Setup fee", Decimal(1), Decimal(250),
                                        vat("S", RATE))])
    for edit in edits:
        try:
            _edit(draft, edit)
        except DraftError as refused:  # 422 naming the field; nothing numbered
            assert refused.field
    try:
        plan = draft.plan(TODAY)
        p = draft.presets
        document = validated(snapshot(
            uuid.uuid4(), PENDING_NUMBER, "ho:advertiser:1", plan, buyer_of(p), SETTINGS,
            document_type=document_type(basis(plan.totals)),
            buyer_reference=p.buyer_reference))
    except (DraftError, InvalidDocument) as refused:
        event(f"422 before numbering: {type(refused).__name__}")
        return  # 422 before a number is taken
    event(f"issued ({document.e_invoice_format.value})")
    numbered = document.model_copy(update={"number": "INV-2026-00001"})
    report = validator.validate(cii_xml(numbered))
    assert report.valid, report.errors
    if numbered.e_invoice_format == EInvoiceFormat.XRECHNUNG:
        xr = validator.validate_xrechnung(xrechnung_xml(numbered, SellerContact()))
        assert xr.valid, xr.errors
