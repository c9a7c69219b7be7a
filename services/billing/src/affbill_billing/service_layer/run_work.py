"""A run as one billing process works on it, and the document a customer's items make.

Shared by the two ways a run bills a customer: as read, in one statement (run_billing.py),
and on the locking path (run_locked.py).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from affbill_billing.adapters.invoices.pending import PendingDocument
from affbill_billing.config import Settings
from affbill_billing.domain.billing_profile import BillingProfile
from affbill_billing.domain.conversion import plan_converted
from affbill_billing.domain.en16931 import Violation
from affbill_billing.domain.fx import RateBook
from affbill_billing.domain.grouping import Item
from affbill_billing.domain.invoicing import document_type, plan_invoice
from affbill_billing.domain.money import round_money
from affbill_billing.domain.runs import RunContext, RunCounts
from affbill_billing.service_layer.documents import PENDING_NUMBER, snapshot
from affbill_contracts.invoices import InvoiceDocument
from affbill_runtime.db import UnitOfWork
from affbill_runtime.jobs import JobReporter

SERVICE = "billing"
ISSUE_BATCH = 500  # pending documents numbered per transaction


@dataclass
class Tally:
    """What this process did for the run so far (its share of the job's counters)."""

    counts: RunCounts = field(default_factory=RunCounts)
    pending: int = 0  # documents of this process waiting for their number
    # the snapshots this process stored for them, so numbering need not read them back
    documents: dict[uuid.UUID, InvoiceDocument] = field(default_factory=dict)


@dataclass
class RunWork:
    """A run as one process works on it: what it is, where it writes, what it did."""

    ctx: RunContext
    uow_factory: Callable[[], UnitOfWork]
    settings: Settings
    total: int = 0  # customers of the run
    tally: Tally = field(default_factory=Tally)
    issue_batch: int = field(default_factory=lambda: ISSUE_BATCH)  # documents per numbering
    # set when enough documents wait for a numbering transaction
    batch_ready: asyncio.Event = field(default_factory=asyncio.Event)
    rates: RateBook | None = None  # the exchange rates known when this process started

    def job(self, uow: UnitOfWork) -> JobReporter:
        return JobReporter(uow, SERVICE, self.ctx.job_id)

    def customer_billed(self, documents_pending: int) -> None:
        """Count a billed customer's documents waiting for a number; wake numbering."""
        self.tally.pending += documents_pending
        if self.tally.pending >= self.issue_batch:
            self.batch_ready.set()


def pending_document(work: RunWork, customer: str, items: Sequence[Item], currency: str,
                     profile: BillingProfile) -> PendingDocument:
    """The document the items make, unnumbered (a negative total is a credit note), for the
    customer's billing period; in convert mode every line converted into ``currency``
    (MissingRate: no rate)."""
    ctx = work.ctx
    terms = ctx.terms(profile.terms(ctx.domestic_vat_rate, ctx.seller_country))
    period = ctx.period_for(profile.billing_frequency)
    plan = (plan_converted(list(items), currency, terms, ctx.today,
                           work.rates or RateBook([]),
                           work.settings.rate_date_rule(profile.issuer), period)
            if profile.converts_into() else
            plan_invoice(list(items), currency, terms, ctx.today, period))
    invoice_id = uuid.uuid4()
    kind = document_type(plan.totals.net, profile.side)
    document = snapshot(invoice_id, PENDING_NUMBER, customer, plan, profile.buyer(),
                        work.settings, document_type=kind, notes=profile.notes(),
                        issuer=profile.issuer, rates=work.rates)
    return PendingDocument(invoice_id, customer, profile.series_for(kind), kind, plan, document)


def not_created(name: str, violations: list[Violation]) -> str:
    """The job-log line of a document the EN 16931 gate stopped (its items stay open)."""
    return f"Document for {name} not created: " + "; ".join(
        f"{v.rule} {v.message} ({v.field})" for v in violations)


def total_of(items: Sequence[Item], currency: str) -> Decimal:
    return round_money(sum((i.revenue for i in items), Decimal(0)), currency)
