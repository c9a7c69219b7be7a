"""Which rate a document uses, and exact conversion (domain/fx.py), in memory."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from affbill_billing.config import Settings
from affbill_billing.domain.billing_profile import Buyer
from affbill_billing.domain.fx import (
    ExchangeRate,
    MissingRate,
    RateBook,
    RateDateRule,
    conversion,
    into_base,
    rate_day,
)
from affbill_billing.domain.invoice_lines import Line, Vat, totals
from affbill_billing.domain.invoicing import InvoicePlan
from affbill_billing.service_layer.documents import snapshot

FRI, SAT, SUN, MON = (dt.date(2026, 11, 27) + dt.timedelta(days=n) for n in range(4))
GOOD_FRIDAY, EASTER_MONDAY = dt.date(2026, 4, 3), dt.date(2026, 4, 6)


def gbp(day: dt.date, rate: str, source: str = "ecb") -> ExchangeRate:
    return ExchangeRate("GBP", day, Decimal(rate), source)


def test_a_weekend_uses_fridays_rate_and_a_holiday_the_last_published() -> None:
    book = RateBook([gbp(FRI, "0.86905"), gbp(dt.date(2026, 4, 2), "0.85120"),
                     gbp(dt.date(2026, 4, 7), "0.85300")])
    assert book.on("GBP", SAT).rate_date == FRI == book.on("GBP", SUN).rate_date
    assert book.on("GBP", FRI).rate == Decimal("0.86905")
    # Good Friday and Easter Monday: TARGET holidays, the Thursday before is the last rate
    assert book.on("GBP", GOOD_FRIDAY).rate_date == dt.date(2026, 4, 2)
    assert book.on("GBP", EASTER_MONDAY).rate == Decimal("0.85120")


def test_a_missing_rate_is_never_guessed() -> None:
    book = RateBook([gbp(FRI, "0.86905")])
    with pytest.raises(MissingRate, match="No GBP rate for 2026-11-26"):
        book.on("GBP", FRI - dt.timedelta(days=1))  # nothing before it
    with pytest.raises(MissingRate, match="No GBP rate for 2026-12-05"):
        book.on("GBP", FRI + dt.timedelta(days=8))  # the last one is too old
    with pytest.raises(MissingRate, match="No USD rate"):
        book.on("USD", FRI)


def test_a_correction_replaces_the_days_rate() -> None:
    book = RateBook([gbp(FRI, "0.86905"), gbp(FRI, "0.86950", "manual")])
    assert (book.on("GBP", SAT).rate, book.on("GBP", SAT).source) == (Decimal("0.86950"),
                                                                      "manual")


def test_the_rate_day_follows_the_sellers_rule() -> None:
    assert rate_day(RateDateRule.INVOICE_DATE, MON, FRI) == MON
    assert rate_day(RateDateRule.PERIOD_END, MON, FRI) == FRI
    assert rate_day(RateDateRule.PERIOD_END, MON, None) == MON


def test_conversion_divides_by_the_published_quote_and_rounds_once() -> None:
    rate = gbp(FRI, "0.86905")
    # 99.75 GBP / 0.86905 = 114.7805…: 114.78 EUR (no rounded inverse 1.1507 × 99.75 = 114.78…)
    assert into_base(Decimal("99.75"), rate) == Decimal("114.78")
    assert into_base(Decimal("-99.75"), rate) == Decimal("-114.78")  # symmetric
    usd = ExchangeRate("USD", FRI, Decimal("1.1606"), "ecb")
    book = RateBook([rate, usd])
    cross = conversion(book, "GBP", "USD", SAT)
    assert (cross.source_rate, cross.target_rate, cross.direct) == (rate, usd, None)
    assert cross.apply(Decimal("700.00")) == Decimal("934.84")  # 700 / 0.86905 × 1.1606
    assert conversion(book, "EUR", "GBP", SAT).apply(Decimal("100")) == Decimal("86.91")
    direct = ExchangeRate("USD", FRI, Decimal("1.3355"), "openexchangerates", base="GBP")
    book = RateBook([rate, usd, direct])
    used = conversion(book, "GBP", "USD", SAT)
    assert used.direct == direct  # a direct quote wins: no cross rate through the euro
    assert used.apply(Decimal("700.00")) == Decimal("934.85")


amounts = st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=2,
                      allow_nan=False, allow_infinity=False)
quotes = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("20000"), places=5,
                     allow_nan=False, allow_infinity=False).filter(lambda q: q > 0)


@given(amounts=st.lists(amounts, min_size=1, max_size=30), quote=quotes)
def test_converted_lines_sum_to_the_total_and_the_snapshot_reproduces_them(
        amounts: list[Decimal], quote: Decimal) -> None:
    rate = gbp(FRI, str(quote))
    converted = [into_base(a, rate) for a in amounts]
    assert all(c == c.quantize(Decimal("0.01")) for c in converted)
    # each line is the exact quotient rounded HALF_UP once, never more than half a cent off
    for a, c in zip(amounts, converted, strict=True):
        assert abs(c - a / quote) <= Decimal("0.005") + Decimal("1e-20")
    # a total built from the converted lines is their sum; from the snapshot's rate and the
    # source amounts the same lines come back, whoever recomputes them
    stored = ExchangeRate("GBP", rate.rate_date, Decimal(str(rate.rate)), "ecb")
    assert [into_base(a, stored) for a in amounts] == converted
    assert sum(converted, Decimal(0)) == sum((into_base(a, stored) for a in amounts),
                                             Decimal(0))


def _plan(currency: str, vat: Vat) -> InvoicePlan:
    lines = [Line("Shop CPS", Decimal(5), Decimal("105.00"), vat)]
    return InvoicePlan(currency, lines, totals(lines, currency), SAT, SAT + dt.timedelta(14),
                       dt.date(2026, 11, 1), dt.date(2026, 11, 27))


def test_a_foreign_currency_document_states_its_vat_in_euro() -> None:
    book = RateBook([gbp(FRI, "0.86905")])
    plan = _plan("GBP", Vat("S", Decimal(19)))
    doc = snapshot(uuid.uuid4(), "(pending)", "c", plan, Buyer("Acme"), Settings(),
                   rates=book)
    fx = doc.vat_accounting
    assert fx is not None and doc.totals.tax_total == Decimal("99.75")
    assert (fx.currency, fx.rate, fx.rate_date, fx.source) == ("EUR", Decimal("0.86905"),
                                                               FRI, "ecb")
    assert fx.tax_total == (Decimal("99.75") / Decimal("0.86905")).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP) == Decimal("114.78")
    eur = snapshot(uuid.uuid4(), "(pending)", "c", _plan("EUR", Vat("S", Decimal(19))),
                   Buyer("Acme"), Settings(), rates=book)
    assert eur.vat_accounting is None  # already in the accounting currency


def test_vat_charged_without_a_rate_is_refused_and_no_vat_needs_none() -> None:
    with pytest.raises(MissingRate, match="No GBP rate for 2026-11-28"):
        snapshot(uuid.uuid4(), "(pending)", "c", _plan("GBP", Vat("S", Decimal(19))),
                 Buyer("Acme"), Settings(), rates=RateBook([]))
    export = snapshot(uuid.uuid4(), "(pending)", "c", _plan("GBP", Vat("G", Decimal(0))),
                      Buyer("Acme"), Settings(), rates=RateBook([]))
    assert export.vat_accounting is None
