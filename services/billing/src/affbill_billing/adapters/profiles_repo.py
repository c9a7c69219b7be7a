"""Billing profiles read as typed values (the profile's routes write them)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from affbill_billing.adapters.seller_entities_repo import entity_of
from affbill_billing.domain.billing_profile import BillingProfile
from affbill_billing.domain.dates import DueDateBasis, InvoiceDateRule
from affbill_billing.domain.grouping import LineGrouping
from affbill_billing.domain.payouts import AffiliateTaxStatus, BankDetails, PayoutMethod
from affbill_billing.domain.periods import BillingFrequency
from affbill_billing.domain.profiles import BuyerKind, CurrencyMode
from affbill_billing.domain.seller_entities import SellerEntity

# a run bills customers it knows (core data and profile); a draft needs the profile only
PROFILES = text("""
select p.*, c.name from billing_profiles p join customers c using (customer_id)
where customer_id = any(:c)
""")
PROFILE = text("""
select p.*, coalesce(c.name, p.billing_name) as name
from billing_profiles p left join customers c using (customer_id) where customer_id = :c
""")

ENTITIES = text("select * from seller_entities where entity = any(:e)")


def profile_of(row: Mapping[str, Any]) -> BillingProfile:
    """A billing_profiles row (with the customer's name) as a BillingProfile."""
    return BillingProfile(
        customer_id=row["customer_id"], name=row["name"], billing_name=row["billing_name"],
        billing_currency=row["billing_currency"], threshold_amount=row["threshold_amount"],
        threshold_currency=row["threshold_currency"], payment_days=row["payment_days"],
        invoice_date_rule=InvoiceDateRule(row["invoice_date_rule"]),
        drafts_by_default=row["drafts_by_default"],
        line_grouping=LineGrouping(row["line_grouping"]), number_series=row["number_series"],
        address=dict(row["address"] or {}), country=row["country"], vat_id=row["vat_id"],
        email_recipients=tuple(row["email_recipients"] or ()),
        intro_text=row["intro_text"], closing_text=row["closing_text"],
        e_invoice_format=row["e_invoice_format"] or "factur-x",
        buyer_reference=row["buyer_reference"], debtor_number=row.get("debtor_number"),
        language=row.get("language") or "en",
        buyer_kind=BuyerKind(row["buyer_kind"]) if row.get("buyer_kind") else None,
        seller_entity=row.get("seller_entity"),
        credit_note_series=row.get("credit_note_series"),
        cancellation_series=row.get("cancellation_series"),
        currency_mode=CurrencyMode(row.get("currency_mode") or CurrencyMode.SPLIT),
        billing_frequency=BillingFrequency(row["billing_frequency"]),
        due_date_basis=DueDateBasis(row["due_date_basis"]),
        parked_reason=row["parked_reason"],
        threshold_max_periods=row["threshold_max_periods"],
        threshold_waived_at_fiscal_year_end=bool(
            row.get("threshold_waived_at_fiscal_year_end")),
        tax_status=AffiliateTaxStatus(row["tax_status"]) if row.get("tax_status") else None,
        tax_number=row.get("tax_number"),
        payout_method=PayoutMethod(row["payout_method"]) if row.get("payout_method") else None,
        bank=bank_of(row.get("bank_account")))


def bank_of(stored: Mapping[str, Any] | None) -> BankDetails | None:
    """An affiliate's bank details as stored (jsonb), or None."""
    if not stored:
        return None
    return BankDetails(str(stored["account_holder"]), str(stored["iban"]), stored.get("bic"),
                       stored.get("bank_name"))


async def with_issuers(session: AsyncSession, found: dict[str, BillingProfile]
                       ) -> dict[str, BillingProfile]:
    """The profiles with the details of the seller entity each names (one query)."""
    named = sorted({p.seller_entity for p in found.values() if p.seller_entity})
    if not named:
        return found
    rows = (await session.execute(ENTITIES, {"e": named})).mappings()
    entities = {r["entity"]: entity_of(r) for r in rows}
    return {c: replace(p, issuer=entities.get(p.seller_entity or "")) if p.seller_entity
            else p for c, p in found.items()}


async def issuer(session: AsyncSession, entity: str | None) -> SellerEntity | None:
    """One seller entity by name (None: the configured seller); LookupError if unknown."""
    if entity is None:
        return None
    row = (await session.execute(ENTITIES, {"e": [entity]})).mappings().first()
    if row is None:
        raise LookupError(f"no seller entity {entity!r}")
    return entity_of(row)


async def profiles(session: AsyncSession, customers: Sequence[str]
                   ) -> dict[str, BillingProfile]:
    """The billing profiles of many customers, read with one query."""
    rows = (await session.execute(PROFILES, {"c": list(customers)})).mappings()
    return await with_issuers(session, {r["customer_id"]: profile_of(r) for r in rows})


async def profile(session: AsyncSession, customer_id: str) -> BillingProfile | None:
    row = (await session.execute(PROFILE, {"c": customer_id})).mappings().first()
    if row is None:
        return None
    return (await with_issuers(session, {customer_id: profile_of(row)}))[customer_id]


async def series_exists(session: AsyncSession, series: str) -> bool:
    return bool(await session.scalar(text("select 1 from number_series where series = :s"),
                                     {"s": series}))


async def correction_series(session: AsyncSession, customer_id: str, column: str
                            ) -> str | None:
    """The customer's own series for credit notes or cancellations (None: none named)."""
    assert column in ("credit_note_series", "cancellation_series")
    return await session.scalar(text(
        f"select {column} from billing_profiles where customer_id = :c"), {"c": customer_id})
