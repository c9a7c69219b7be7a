"""A run's customers in convert mode: one document of all their items in the billing
currency, when the converted sum reaches the threshold (domain/conversion.py) — or below it,
when the threshold's maximum age or the fiscal year end waives it, as for any customer;
what waits is recorded in the threshold ledger in the threshold's currency."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from affbill_billing.adapters.periods_repo import Carried
from affbill_billing.domain.billing_profile import BillingProfile
from affbill_billing.domain.conversion import converted_sum, skip_line
from affbill_billing.domain.fx import MissingRate, RateBook
from affbill_billing.domain.grouping import Item
from affbill_billing.domain.runs import RunCounts, threshold_waiver
from affbill_contracts.jobs import LogLevel
from affbill_runtime.jobs import JobReporter

if TYPE_CHECKING:
    from affbill_billing.service_layer.run_work import RunWork


def _arguments(work: RunWork, profile: BillingProfile, items: Sequence[Item]) -> tuple:
    terms = profile.terms(work.ctx.domestic_vat_rate, work.ctx.seller_country)
    return (list(items), profile.converts_into() or "", profile.threshold_currency, terms,
            work.ctx.today, work.rates or RateBook([]),
            work.settings.rate_date_rule(profile.issuer))


def converted_skip(work: RunWork, profile: BillingProfile, items: Sequence[Item]
                   ) -> str | None:
    """Convert mode: None when the converted sum reaches the threshold, else the skip line
    naming both figures (MissingRate when a rate is missing)."""
    items_, target, currency, *rest = _arguments(work, profile, items)
    return skip_line(items_, target, profile.threshold_amount, currency, *rest)


def billable_converted(work: RunWork, job: JobReporter, profile: BillingProfile,
                       items: Sequence[Item], counts: RunCounts, carried: list[Carried]
                       ) -> list[tuple[str, list[Item]]]:
    """Convert mode: all items in one document in the billing currency when their converted
    sum reaches the threshold or a waiver bills them anyway; the job log names both figures
    when they wait (``carried`` gets them, converted) and a missing rate when there is one
    (the items stay open either way)."""
    target = profile.converts_into()
    if not items or target is None:
        return []
    try:
        skipped = converted_skip(work, profile, items)
    except MissingRate as missing:
        counts.customers_skipped += 1
        job.log(f"{missing}: {profile.name} not billed", LogLevel.WARNING)
        return []
    if skipped is None:
        return [(target, list(items))]
    oldest = min(i.day for i in items)
    if why := threshold_waiver(oldest, profile, work.ctx):
        job.log(f"Threshold waived for {profile.name}: {why}")
        return [(target, list(items))]
    currency, total, _ = converted_sum(*_arguments(work, profile, items))
    carried.append(Carried(currency, total, profile.threshold_amount or Decimal(0), len(items),
                           oldest))
    counts.customers_skipped += 1
    job.log(f"{skipped} for {profile.name}")
    return []
