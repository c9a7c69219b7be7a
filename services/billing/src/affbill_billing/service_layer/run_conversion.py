"""A run's customers in convert mode: one document of all their items in the billing
currency, when the converted sum reaches the threshold (domain/conversion.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from affbill_billing.domain.billing_profile import BillingProfile
from affbill_billing.domain.conversion import skip_line
from affbill_billing.domain.fx import MissingRate, RateBook
from affbill_billing.domain.grouping import Item
from affbill_billing.domain.runs import RunCounts
from affbill_contracts.jobs import LogLevel
from affbill_runtime.jobs import JobReporter

if TYPE_CHECKING:
    from affbill_billing.service_layer.run_billing import RunWork


def converted_skip(work: RunWork, profile: BillingProfile, items: Sequence[Item]
                   ) -> str | None:
    """Convert mode: None when the converted sum reaches the threshold, else the skip line
    naming both figures (MissingRate when a rate is missing)."""
    terms = profile.terms(work.ctx.domestic_vat_rate, work.ctx.seller_country)
    return skip_line(list(items), profile.converts_into() or "", profile.threshold_amount,
                     profile.threshold_currency, terms, work.ctx.today,
                     work.rates or RateBook([]),
                     work.settings.rate_date_rule(profile.issuer))


def billable_converted(work: RunWork, job: JobReporter, profile: BillingProfile,
                       items: Sequence[Item], counts: RunCounts) -> list[tuple[str, list[Item]]]:
    """Convert mode: all items in one document in the billing currency when their converted
    sum reaches the threshold; the job log names both figures when it does not, and a
    missing rate when there is one (the items stay open either way)."""
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
    counts.customers_skipped += 1
    job.log(f"{skipped} for {profile.name}")
    return []
