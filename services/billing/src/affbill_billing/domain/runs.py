"""A batch run's context and rules: what was selected, and the premise a statement checks.

Pure, no I/O. The selection is the clerk's, as the command carried it; billing resolves it
into customers once, when the run starts (adapters/runs_repo.py keeps that list).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from affbill_billing.domain.billing_profile import BillingProfile
from affbill_billing.domain.dates import DueDateBasis, InvoiceDateRule
from affbill_billing.domain.invoicing import Terms
from affbill_billing.domain.periods import (
    BillingFrequency,
    BillingPeriod,
    billed_until,
    last_closed,
)
from affbill_billing.domain.thresholds import waiver


class ItemsChanged(Exception):
    """A customer's open items are not the items read (SQLSTATE AF001 in Postgres)."""


def require(ok: bool | None, message: str) -> bool:
    """Python twin of ``adapters/sql/require.sql``: a false (or unknown) premise fails."""
    if ok is not True:
        raise ItemsChanged(message)
    return True


@dataclass(frozen=True)
class RunContext:
    """Everything a run's steps need to know about the run, in any billing process."""

    run_id: uuid.UUID
    job_id: uuid.UUID
    requested_by: str
    today: dt.date  # the day the run bills on, in the network's time zone
    domestic_vat_rate: Decimal
    # the period the clerk chose (both days), or only its end (items up to it), or
    # neither: each customer's last closed period
    period_end: dt.date | None = None
    currency: str | None = None  # only items in this currency
    item_ids: tuple[uuid.UUID, ...] = ()  # single items chosen by the clerk
    # customers whose open items are all billed; None: every customer ("select all")
    whole: frozenset[str] | None = frozenset()
    seller_country: str = "DE"  # decides the VAT treatment with the buyer's country
    period_start: dt.date | None = None
    invoice_date_rule: InvoiceDateRule | None = None  # instead of each profile's rule
    due_date_basis: DueDateBasis | None = None  # instead of each profile's basis
    fiscal_year_start_month: int = 1  # the network's fiscal year (threshold waiver)

    def bills_whole(self, customer: str) -> bool:
        return self.whole is None or customer in self.whole

    def item_ids_for(self, customer: str) -> list[uuid.UUID] | None:
        """The chosen items of a customer billed in part; None: the whole customer."""
        return None if self.bills_whole(customer) else list(self.item_ids)

    def period_for(self, frequency: BillingFrequency) -> BillingPeriod | None:
        """The period billed for a customer of this billing frequency (None: the clerk gave
        only a last day; documents then state their items' days)."""
        if self.period_end is None:
            return last_closed(frequency, self.today)
        if self.period_start is None:
            return None
        return BillingPeriod(self.period_start, self.period_end)

    def last_day_for(self, frequency: BillingFrequency) -> dt.date:
        """The last day whose items a customer of this frequency is billed for."""
        return last_day_billed(self.period_end, self.today, frequency)

    def read_until(self) -> dt.date:
        """The last day any customer of the run is billed for."""
        return last_day_read(self.period_end, self.today)

    def terms(self, terms: Terms) -> Terms:
        """A profile's terms with this run's date rules, where the run sets them."""
        return dataclasses.replace(
            terms, date_rule=self.invoice_date_rule or terms.date_rule,
            due_basis=self.due_date_basis or terms.due_basis)


def last_day_billed(period_end: dt.date | None, today: dt.date,
                    frequency: BillingFrequency) -> dt.date:
    """The chosen period's end, or the end of the frequency's last closed period; never
    today or later."""
    end = period_end if period_end is not None else last_closed(frequency, today).end
    return billed_until(end, today)


def last_day_read(period_end: dt.date | None, today: dt.date) -> dt.date:
    """The latest day any frequency bills on ``today``: what a run reads at most."""
    return max(last_day_billed(period_end, today, f) for f in BillingFrequency)


@dataclass
class RunCounts:
    """What a run did; summed in the database across processes and restarts."""

    documents_created: int = 0
    drafts_created: int = 0
    customers_skipped: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"documents_created": self.documents_created,
                "drafts_created": self.drafts_created,
                "customers_skipped": self.customers_skipped}


def threshold_waiver(oldest_day: dt.date, profile: BillingProfile, ctx: RunContext
                     ) -> str | None:
    """Why a customer's items below its threshold are billed anyway in this run (None: they
    wait): its profile's maximum age, or the fiscal year end (domain/thresholds.waiver)."""
    return waiver(oldest_day, ctx.period_for(profile.billing_frequency),
                  profile.billing_frequency, profile.threshold_max_periods,
                  profile.threshold_waived_at_fiscal_year_end, ctx.fiscal_year_start_month)
