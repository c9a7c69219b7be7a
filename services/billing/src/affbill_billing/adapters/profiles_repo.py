"""Billing profiles read as typed values (the profile's routes write them)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from affbill_billing.domain.billing_profile import BillingProfile
from affbill_billing.domain.dates import DueDateBasis, InvoiceDateRule
from affbill_billing.domain.grouping import LineGrouping
from affbill_billing.domain.periods import BillingFrequency
from affbill_billing.domain.profiles import TaxTreatment

# a run bills customers it knows (core data and profile); a draft needs the profile only
PROFILES = text("""
select p.*, c.name from billing_profiles p join customers c using (customer_id)
where customer_id = any(:c)
""")
PROFILE = text("""
select p.*, coalesce(c.name, p.billing_name) as name
from billing_profiles p left join customers c using (customer_id) where customer_id = :c
""")


def profile_of(row: Mapping[str, Any]) -> BillingProfile:
    """A billing_profiles row (with the customer's name) as a BillingProfile."""
    return BillingProfile(
        customer_id=row["customer_id"], name=row["name"], billing_name=row["billing_name"],
        tax_treatment=TaxTreatment(row["tax_treatment"]),
        billing_currency=row["billing_currency"], threshold_amount=row["threshold_amount"],
        threshold_currency=row["threshold_currency"], payment_days=row["payment_days"],
        invoice_date_rule=InvoiceDateRule(row["invoice_date_rule"]),
        drafts_by_default=row["drafts_by_default"],
        line_grouping=LineGrouping(row["line_grouping"]), number_series=row["number_series"],
        address=dict(row["address"] or {}), country=row["country"], vat_id=row["vat_id"],
        email_recipients=tuple(row["email_recipients"] or ()),
        intro_text=row["intro_text"], closing_text=row["closing_text"],
        e_invoice_format=row["e_invoice_format"] or "factur-x",
        buyer_reference=row["buyer_reference"],
        billing_frequency=BillingFrequency(row["billing_frequency"]),
        due_date_basis=DueDateBasis(row["due_date_basis"]),
        parked_reason=row["parked_reason"],
        threshold_max_periods=row["threshold_max_periods"])


async def profiles(session: AsyncSession, customers: Sequence[str]
                   ) -> dict[str, BillingProfile]:
    """The billing profiles of many customers, read with one query."""
    rows = (await session.execute(PROFILES, {"c": list(customers)})).mappings()
    return {r["customer_id"]: profile_of(r) for r in rows}


async def profile(session: AsyncSession, customer_id: str) -> BillingProfile | None:
    row = (await session.execute(PROFILE, {"c": customer_id})).mappings().first()
    return None if row is None else profile_of(row)


async def series_exists(session: AsyncSession, series: str) -> bool:
    return bool(await session.scalar(text("select 1 from number_series where series = :s"),
                                     {"s": series}))
