"""The EN 16931 gate agrees with the official Schematron, rule by rule.

Random documents (invoices, reverse charge, allowances and charges, cancellations and
partial credit notes as billing books them) and random breakages of them get the same
verdict for every rule the gate covers from ``en16931.check`` and from the documents
service's XSD + Schematron run in this process on the XML ``cii_xml`` writes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from affbill_billing.domain.en16931 import COVERED, SUPPLY, XRECHNUNG_COVERED, check
from affbill_contracts.invoices import InvoiceDocument
from affbill_documents.adapters.cii import SellerContact, cii_xml, xrechnung_xml
from affbill_documents.adapters.validation import Validator
from tests.unit.documents.samples import (
    booked_cancellation,
    invoice,
    partial_credit_note,
    with_allowances,
    xrechnung_invoice,
)
from tests.unit.documents.vat_samples import vat_document, with_adjustments

BASES: list[Callable[[int], InvoiceDocument]] = [
    lambda n: invoice(n),
    lambda n: invoice(n, reverse_charge=True),
    lambda n: with_allowances(),
    lambda n: booked_cancellation(invoice(n)),
    lambda n: booked_cancellation(with_allowances()),
    lambda n: partial_credit_note(invoice(max(n, 2)), [1, max(n, 2)]),
    lambda n: vat_document("outside_scope", n),
    lambda n: vat_document("eu_consumer", n),
    lambda n: booked_cancellation(with_adjustments("outside_scope")),
]


def _data(doc: InvoiceDocument) -> dict[str, Any]:
    return doc.model_dump()


def _break(doc: InvoiceDocument, how: str, delta: Decimal) -> InvoiceDocument:
    d = _data(doc)
    t, g = d["totals"], d["tax_breakdown"][0]
    if how in ("line_total", "tax_total", "grand_total", "amount_due", "allowance_total",
               "charge_total"):
        t[how] += delta
    elif how == "group_tax":
        g["tax_amount"] += delta
    elif how == "group_basis":
        g["taxable_amount"] += delta
    elif how == "line_net":
        d["lines"][0]["net_amount"] += delta
    elif how == "line_rate":
        d["lines"][0]["vat_rate"] = Decimal(0) if d["lines"][0]["vat_rate"] else Decimal(7)
    elif how == "seller_ids":
        d["seller"]["vat_id"] = d["seller"]["tax_number"] = None
    elif how == "buyer_vat":
        d["buyer"]["vat_id"] = None
    elif how == "vat_ids":  # named on a document not subject to VAT: BR-O-02
        d["seller"]["vat_id"], d["buyer"]["vat_id"] = "DE999999999", "FR40303265045"
    elif how == "reasons":
        for a in d["allowances_charges"]:
            a["reason"] = a["reason_code"] = None
        for line in d["lines"]:
            for a in line["allowances"]:
                a["reason"] = a["reason_code"] = None
    return InvoiceDocument.model_validate(d)


BREAKS = ["none", "line_total", "tax_total", "grand_total", "amount_due", "allowance_total",
          "charge_total", "group_tax", "group_basis", "line_net", "line_rate", "seller_ids",
          "buyer_vat", "vat_ids", "reasons"]
DELTAS = [Decimal(x) for x in ("0.01", "-0.01", "0.5", "1", "-1.5", "2", "10")]


@pytest.fixture(scope="module")
def validator() -> Iterator[Validator]:
    yield Validator()


def _official(validator: Validator, doc: InvoiceDocument) -> set[str]:
    return set(validator.validate(cii_xml(doc)).failed_rules) & set(COVERED)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(range(len(BASES))), st.integers(1, 5), st.sampled_from(BREAKS),
       st.sampled_from(DELTAS))
def test_gate_and_schematron_agree_rule_by_rule(validator: Validator, base: int, lines: int,
                                                how: str, delta: Decimal) -> None:
    doc = BASES[base](lines)
    if how != "none":
        doc = _break(doc, how, delta)
    gate = {v.rule for v in check(doc)}
    assert gate == _official(validator, doc), (how, delta, [v for v in check(doc)])


@pytest.mark.parametrize("base", range(len(BASES)))
def test_every_sample_passes_both(validator: Validator, base: int) -> None:
    doc = BASES[base](3)
    assert check(doc) == [] and validator.validate(cii_xml(doc)).valid


def test_a_violation_names_rule_message_and_field() -> None:
    doc = _break(invoice(2), "line_total", Decimal("1"))
    [v] = [v for v in check(doc) if v.rule == "BR-CO-10"]
    assert v.field == "totals.line_total" and "BT-106" in v.message


@pytest.mark.parametrize("missing", [(), ("buyer_reference",), ("email",),
                                     ("buyer_reference", "email")])
def test_gate_and_xrechnung_schematron_agree(validator: Validator, missing: tuple[str, ...]
                                             ) -> None:
    """BT-10 and BT-49 of an XRechnung: the gate's verdict is the KoSIT Schematron's, as the
    XRechnung validator configuration weighs it (PEPPOL-EN16931-R010 an error)."""
    doc = xrechnung_invoice(2)
    if "email" in missing:
        doc = doc.model_copy(update={"buyer": doc.buyer.model_copy(update={"email": None})})
    if "buyer_reference" in missing:
        doc = doc.model_copy(update={"buyer_reference": None})
    official = set(validator.validate_xrechnung(xrechnung_xml(doc, SellerContact())
                                                ).failed_rules) & set(XRECHNUNG_COVERED)
    gate = {v.rule for v in check(doc)}
    assert gate == official and len(gate) == len(missing)
    assert {v.field for v in check(doc)} == {"buyer.email" if m == "email" else m
                                             for m in missing}


def test_gate_asks_for_a_date_of_supply_or_a_service_period() -> None:
    undated = invoice(1, period_start=None, period_end=None)
    [v] = check(undated)
    assert (v.rule, v.field) == (SUPPLY, "delivery_date")
    assert check(undated.model_copy(update={"delivery_date": undated.issue_date})) == []
