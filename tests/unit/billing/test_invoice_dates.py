"""Invoice-date and due-date rules: each rule and basis, from a profile and from a run."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from decimal import Decimal

import pytest

from affbill_billing.domain.dates import DueDateBasis, InvoiceDateRule
from affbill_billing.domain.grouping import Item, LineGrouping
from affbill_billing.domain.invoicing import Terms, plan_invoice
from affbill_billing.domain.periods import BillingFrequency, BillingPeriod
from affbill_billing.domain.profiles import TaxTreatment
from affbill_billing.domain.runs import RunContext

OCTOBER = BillingPeriod(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
GENERATED = dt.date(2026, 11, 3)
ITEMS = [Item(uuid.uuid4(), "20", "Shop", dt.date(2026, 10, d), "EUR", 1, Decimal("10"))
         for d in (5, 12)]


def terms(rule: InvoiceDateRule, basis: DueDateBasis) -> Terms:
    return Terms(TaxTreatment.DOMESTIC, Decimal(19), LineGrouping.PERIOD, rule, 14, basis)


@pytest.mark.parametrize(("rule", "basis", "issued", "due"), [
    (InvoiceDateRule.TODAY, DueDateBasis.ISSUE_DATE, "2026-11-03", "2026-11-17"),
    (InvoiceDateRule.TODAY, DueDateBasis.GENERATION_DATE, "2026-11-03", "2026-11-17"),
    (InvoiceDateRule.PERIOD_END, DueDateBasis.ISSUE_DATE, "2026-10-31", "2026-11-14"),
    (InvoiceDateRule.PERIOD_END, DueDateBasis.GENERATION_DATE, "2026-10-31", "2026-11-17"),
    (InvoiceDateRule.DAY_AFTER_PERIOD, DueDateBasis.ISSUE_DATE, "2026-11-01", "2026-11-15"),
    (InvoiceDateRule.DAY_AFTER_PERIOD, DueDateBasis.GENERATION_DATE, "2026-11-01",
     "2026-11-17"),
])
def test_invoice_and_due_dates(rule: InvoiceDateRule, basis: DueDateBasis, issued: str,
                               due: str) -> None:
    plan = plan_invoice(ITEMS, "EUR", terms(rule, basis), GENERATED, OCTOBER)
    assert (plan.issue_date, plan.due_date) == (dt.date.fromisoformat(issued),
                                                dt.date.fromisoformat(due))


def test_the_service_period_is_the_period() -> None:
    plan = plan_invoice(ITEMS, "EUR", terms(InvoiceDateRule.TODAY, DueDateBasis.ISSUE_DATE),
                        GENERATED, OCTOBER)
    assert (plan.period_start, plan.period_end) == (OCTOBER.start, OCTOBER.end)
    carried = [*ITEMS, ITEMS[0]._replace(day=dt.date(2026, 9, 30))]
    plan = plan_invoice(carried, "EUR", terms(InvoiceDateRule.TODAY, DueDateBasis.ISSUE_DATE),
                        GENERATED, OCTOBER)  # an item carried from September: from its day
    assert (plan.period_start, plan.period_end) == (dt.date(2026, 9, 30), OCTOBER.end)
    plan = plan_invoice(ITEMS, "EUR", terms(InvoiceDateRule.TODAY, DueDateBasis.ISSUE_DATE),
                        GENERATED)  # no period: the items' days
    assert (plan.period_start, plan.period_end) == (dt.date(2026, 10, 5), dt.date(2026, 10, 12))


def test_a_run_s_rules_win_over_the_profile_s() -> None:
    profile_terms = terms(InvoiceDateRule.TODAY, DueDateBasis.ISSUE_DATE)
    ctx = RunContext(uuid.uuid4(), uuid.uuid4(), "anna", GENERATED, Decimal(19),
                     invoice_date_rule=InvoiceDateRule.PERIOD_END,
                     due_date_basis=DueDateBasis.GENERATION_DATE)
    plan = plan_invoice(ITEMS, "EUR", ctx.terms(profile_terms), GENERATED,
                        ctx.period_for(BillingFrequency.MONTHLY))
    assert (plan.issue_date, plan.due_date) == (OCTOBER.end, dt.date(2026, 11, 17))
    plain = RunContext(uuid.uuid4(), uuid.uuid4(), "anna", GENERATED, Decimal(19))
    assert plain.terms(profile_terms) == profile_terms


def test_a_run_s_period_for_each_frequency() -> None:
    ctx = RunContext(uuid.uuid4(), uuid.uuid4(), "anna", GENERATED, Decimal(19))
    assert ctx.period_for(BillingFrequency.MONTHLY) == OCTOBER
    assert ctx.period_for(BillingFrequency.WEEKLY) == BillingPeriod(dt.date(2026, 10, 26),
                                                                    dt.date(2026, 11, 1))
    assert ctx.read_until() == dt.date(2026, 11, 1)
    given = dataclasses.replace(ctx, period_start=dt.date(2026, 11, 1),
                                period_end=dt.date(2026, 11, 30))
    assert given.period_for(BillingFrequency.WEEKLY) == BillingPeriod(dt.date(2026, 11, 1),
                                                                      dt.date(2026, 11, 30))
    assert given.last_day_for(BillingFrequency.QUARTERLY) == dt.date(2026, 11, 2)  # not today
