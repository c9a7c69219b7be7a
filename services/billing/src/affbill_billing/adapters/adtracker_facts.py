"""What billing keeps of the adtracker's facts: stat rows (and the billable items they
make), customers with their default profiles, employees, conversions.

All set-based upserts by natural key: applying the same fact twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from affbill_billing.adapters.fast_stats import StatRecord
from affbill_billing.adapters.sql import load

STAT_IN = """
create temporary table if not exists stat_in (
    stat_key text, customer_id text, offer_id text, offer_name text, day date, currency text,
    units integer, revenue numeric(28, 10), side text) on commit drop
"""
CUSTOMERS = """
insert into customers (customer_id, connector, kind, partner_id, name, status,
    account_manager_id, default_currency, address, vat_id, email)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11)
on conflict (customer_id) do update set name = excluded.name,
    status = excluded.status, account_manager_id = excluded.account_manager_id,
    default_currency = excluded.default_currency, address = excluded.address,
    vat_id = excluded.vat_id, email = excluded.email, updated_at = now()
"""
PROFILE_DEFAULTS = """
insert into billing_profiles (customer_id, billing_name, address, country, vat_id, tax_treatment,
                              billing_currency, threshold_currency, number_series,
                              drafts_by_default)
values ($1, $2, coalesce($3::jsonb, '{}'::jsonb), $4, $5, $6, $7, $7, $8, $9)
on conflict (customer_id) do nothing
"""
SELF_BILLED_SERIES = "self-billed"  # migration billing_0017_aff


def side_defaults(kind: str, credit_note_drafts_by_default: bool) -> tuple[str, bool]:
    """A new profile's number series and drafts-by-default, per side."""
    if kind == "affiliate":
        return SELF_BILLED_SERIES, credit_note_drafts_by_default
    return "default", False
EMPLOYEES = """
insert into employees (connector, employee_id, name, email, status)
values ($1, $2, $3, $4, $5)
on conflict (connector, employee_id) do update set name = excluded.name,
    email = excluded.email, status = excluded.status, updated_at = now()
"""
CONVERSIONS = """
insert into conversions (connector, conversion_id, customer_id, status, currency,
                         revenue, converted_at)
values ($1, $2, $3, $4, $5, $6, $7)
on conflict (connector, conversion_id) do update set status = excluded.status,
    currency = excluded.currency, revenue = excluded.revenue, updated_at = now()
"""


async def apply_stat_records(conn: Any, records: Sequence[StatRecord]) -> None:
    """Upsert the stat rows (the last word per stat key wins) and recompute the open item of
    every group they touched (adapters/sql/ingest_recompute.sql), in the caller's
    transaction."""
    # in arrival order: the last word per stat row and side wins
    latest = {(r[0], r[1]): r for r in records}
    await conn.execute(STAT_IN)
    await conn.execute("truncate stat_in")
    await conn.copy_records_to_table("stat_in", records=list(latest.values()))
    await conn.execute(load("ingest_recompute.sql"))


async def upsert_customers(conn: Any, customers: Iterable[tuple[Any, ...]]) -> None:
    await conn.executemany(CUSTOMERS, list(customers))


async def add_default_profiles(conn: Any, profiles: Iterable[tuple[Any, ...]]) -> None:
    """A new customer's billing profile from its core data; an existing one stays as is."""
    await conn.executemany(PROFILE_DEFAULTS, list(profiles))


async def upsert_employees(conn: Any, employees: Iterable[tuple[Any, ...]]) -> None:
    await conn.executemany(EMPLOYEES, list(employees))


async def upsert_conversions(conn: Any, conversions: Iterable[tuple[Any, ...]]) -> None:
    await conn.executemany(CONVERSIONS, list(conversions))


