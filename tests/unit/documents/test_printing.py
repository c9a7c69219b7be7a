"""What the PDF prints: exact amounts, rates, dates, wording; document status rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from affbill_contracts.jobs import JobStatus
from affbill_documents.domain.documents import (
    DocumentStatus,
    failed_line,
    rendered_line,
    rendering_outcome,
    status_of,
)
from affbill_documents.domain.printing import amount, money, print_model, rate
from tests.unit.documents.samples import cancellation, invoice

amounts = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=5,
                      allow_nan=False, allow_infinity=False)


@given(amounts, st.sampled_from(["EUR", "JPY", "KWD", "USD"]))
def test_printed_amounts_never_change_the_value(value: Decimal, currency: str) -> None:
    assert Decimal(money(value, currency).replace(",", "")) == value
    assert Decimal(amount(value, currency)) == value


def test_amounts_are_padded_to_the_currency_not_rounded() -> None:
    assert money(Decimal("1234.5"), "EUR") == "1,234.50"
    assert money(Decimal(1234), "JPY") == "1,234"
    assert money(Decimal("0.00125"), "EUR") == "0.00125"  # more digits than cents: all shown
    assert amount(Decimal("525.0000000000"), "EUR") == "525.00"
    assert amount(Decimal("1E+2"), "EUR") == "100.00"


def test_rates() -> None:
    assert rate(Decimal("19.00")) == "19 %"
    assert rate(Decimal("7.50")) == "7.5 %"
    assert rate(Decimal(0)) == "0 %"


def test_print_model_of_an_invoice_and_a_cancellation() -> None:
    doc = invoice(2, reverse_charge=True)
    model = print_model(doc)
    assert model["title"] == "Invoice" and model["number"] == doc.number
    assert model["period"] == "2026-10-01 – 2026-10-31"
    assert model["lines"][0]["period"] == ""  # same as the document's: not repeated per line
    assert model["exemptions"] == [doc.tax_breakdown[0].exemption_reason]
    assert model["tax"][0]["label"].startswith("Reverse charge 0 %")
    cancel = print_model(cancellation(doc))
    assert cancel["title"] == "Cancellation"
    assert cancel["cancels"] == f"This document cancels invoice {doc.number} of 2026-11-01."
    assert print_model(doc.model_copy(update={"period_start": dt.date(2026, 10, 5),
                                              "period_end": dt.date(2026, 10, 5)}))["period"] \
        == "2026-10-05"


def test_status_of_documents() -> None:
    assert status_of("380", None, None) is DocumentStatus.ISSUED
    assert status_of("380", None, "cancellation id") is DocumentStatus.CANCELLED
    assert status_of("381", "INV-1", None) is DocumentStatus.CANCELLATION
    assert status_of("381", None, None) is DocumentStatus.ISSUED  # a plain credit note


def test_job_wording() -> None:
    assert rendered_line("INV-1", "Acme") == "Document INV-1 rendered for Acme"
    assert "BR-CO-10, BR-CO-15" in failed_line("INV-1", ["BR-CO-10", "BR-CO-15"])
    assert rendering_outcome(0) is JobStatus.SUCCEEDED
    assert rendering_outcome(2) is JobStatus.SUCCEEDED_WITH_WARNINGS


def test_credit_notes_print_positive_amounts_and_never_ask_for_payment() -> None:
    from tests.unit.documents.samples import booked_cancellation, partial_credit_note

    original = invoice(3, number="INV-2026-00090")
    cancel = print_model(booked_cancellation(original))
    assert cancel["title"] == "Cancellation" and cancel["due_date"] == ""
    assert cancel["heading"] == "Cancellation of invoice INV-2026-00090"
    assert not cancel["totals"]["gross"].startswith("-")
    assert "will be credited" in cancel["settlement"]["instruction"]
    assert "transfer" not in cancel["settlement"]["instruction"]
    partial = print_model(partial_credit_note(original, [2]))
    assert partial["title"] == "Credit note"
    assert partial["heading"] == "Credit note for invoice INV-2026-00090"
    assert partial["settlement"]["due_label"] == "Amount credited"
    assert all(not x["unit_price"].startswith("-") for x in partial["lines"])
    billed = print_model(original)
    assert billed["settlement"]["instruction"].startswith("Please transfer")


@given(amounts)
def test_german_amounts_are_the_same_value_punctuated_the_german_way(value: Decimal) -> None:
    from affbill_documents.domain.wording import localized_number
    german = localized_number(money(value, "EUR"), "de")
    assert Decimal(german.replace(".", "").replace(",", ".")) == value


def test_a_german_profile_gets_german_words_numbers_and_dates() -> None:
    doc = invoice(2, language="de", debtor_number="10042",
                  delivery_date=dt.date(2026, 10, 31))
    model = print_model(doc)
    assert model["title"] == "Rechnung" and model["labels"]["customer_no"] == "Kundennr."
    assert model["issue_date"] == "01.11.2026" and model["supply_date"] == "31.10.2026"
    assert model["period"] == "01.10.2026 – 31.10.2026"
    assert model["customer_id"] == "10042"  # the debtor number, never the internal key
    big = invoice(1, language="de", totals=doc.totals.model_copy(update={
        "grand_total": Decimal("13451.04")}))
    assert print_model(big)["totals"]["gross"] == "13.451,04"
    assert print_model(invoice(1))["totals"]["gross"].count(".") == 1  # en: 1,234.50
    assert "Bitte überweisen Sie" in model["settlement"]["instruction"]
    cancelled = print_model(cancellation(invoice(1, language="de")))
    assert cancelled["title"] == "Stornorechnung"
    assert cancelled["heading"] == "Storno der Rechnung INV-2026-00042"
    assert "Es ist nichts zu zahlen" in cancelled["settlement"]["instruction"]


def test_customer_no_is_the_debtor_number_only() -> None:
    assert print_model(invoice(1))["customer_id"] == ""  # no debtor number: no row
    assert print_model(invoice(1, debtor_number="D-7"))["customer_id"] == "D-7"
