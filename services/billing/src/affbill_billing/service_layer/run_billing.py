"""Billing one run's customers: per customer one transaction, per currency one document.

A customer whose open items (read unlocked, many customers at once) make exactly one
document is billed by one statement that keeps its writes only if the items are still
the ones read (adapters/sql/invoice_items_as_read.sql). Every other customer — no
profile, drafts by default, several currencies, below the threshold, items changed — is
billed on the locking path: lock its items (SKIP LOCKED), plan, write, commit. The first
is the second's fast case: both bill the same items into the same documents.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from affbill_billing.adapters import billable_items, periods_repo, runs_repo
from affbill_billing.adapters.invoices import drafts as drafts_repo
from affbill_billing.adapters.invoices import pending
from affbill_billing.adapters.invoices.pending import PENDING_WITHOUT_FLUSH, PendingDocument
from affbill_billing.adapters.periods_repo import Carried
from affbill_billing.config import Settings
from affbill_billing.domain.billing_profile import BillingProfile
from affbill_billing.domain.conversion import plan_converted
from affbill_billing.domain.customers import Side
from affbill_billing.domain.drafts import Draft
from affbill_billing.domain.en16931 import Violation, check
from affbill_billing.domain.fx import MissingRate, RateBook
from affbill_billing.domain.grouping import Item
from affbill_billing.domain.invoicing import document_type, plan_invoice, service_period
from affbill_billing.domain.money import round_money
from affbill_billing.domain.runs import ItemsChanged, RunContext, RunCounts, threshold_waiver
from affbill_billing.service_layer.documents import PENDING_NUMBER, snapshot
from affbill_billing.service_layer.rates import rate_book
from affbill_billing.service_layer.run_conversion import billable_converted, converted_skip
from affbill_contracts.invoices import InvoiceDocument
from affbill_contracts.jobs import LogLevel
from affbill_runtime.db import UnitOfWork
from affbill_runtime.jobs import JobReporter

SERVICE = "billing"
log = logging.getLogger("affbill.billing.runs")
ISSUE_BATCH = 500  # pending documents numbered per transaction
DEADLOCK = "40P01"
ATTEMPTS = 3
RATES_BACK = dt.timedelta(days=400)


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


def one_document_currency(work: RunWork, profile: BillingProfile | None,
                          items: Sequence[Item]) -> str | None:
    """The currency when the items make exactly one issued document now; None when the
    locking path decides (no profile, drafts by default, VAT treatment undecided, several
    currencies in split mode, threshold, a missing rate). Convert mode makes one document
    of all the items."""
    currency = items[0].currency
    if (profile is None or profile.drafts_by_default
            or profile.tax_treatment(work.ctx.seller_country) is None):
        return None
    if target := profile.converts_into():
        try:
            return target if converted_skip(work, profile, items) is None else None
        except MissingRate:
            return None
    if (any(i.currency != currency for i in items)
            or not profile.bills_now(total_of(items, currency), currency)):
        return None
    return currency


async def bill_chunk(work: RunWork, customers: Sequence[str],
                     profiles: dict[str, BillingProfile]) -> None:
    """Bill some customers: those whose items make one document in one statement each
    (on one connection, reading their items at once), the others on the locking path."""
    locking: list[str] = []
    if work.rates is None:
        work.rates = await rates_known(work)
    async with work.uow_factory() as uow:
        conn = await uow.autocommit_connection()
        items = await billable_items.open_items(conn, customers, work.ctx)
        await conn.execute(PENDING_WITHOUT_FLUSH)
        try:
            for customer in customers:
                billed = (await bill_as_read(conn, work, customer, items.get(customer, []),
                                             profiles.get(customer))
                          if work.ctx.bills_whole(customer) else None)
                if billed is None:
                    locking.append(customer)
                else:
                    work.customer_billed(billed)
        finally:
            await conn.execute("reset synchronous_commit")
    for customer in locking:
        work.customer_billed(await bill_locked(work, customer, profiles.get(customer)))


async def rates_known(work: RunWork) -> RateBook:
    """The rates a document of this run may use: a year back from the day it bills on
    (an invoice dated at the end of an old period uses that day's rate)."""
    async with work.uow_factory() as uow:
        return await rate_book(uow.session, [work.ctx.today - RATES_BACK, work.ctx.today])


async def bill_as_read(conn: object, work: RunWork, customer: str, items: list[Item],
                       profile: BillingProfile | None) -> int | None:
    """Bill a customer whose items (read unlocked) make one document, in one statement.

    Returns the documents waiting for a number (0: nothing was open), or None when the
    customer takes the locking path (see one_document_currency) or its items changed.
    Items after the customer's billing period are not its to bill now."""
    if profile is None or profile.parked_reason:
        return None if items else 0
    last_day = work.ctx.last_day_for(profile.billing_frequency)
    items = [i for i in items if i.day <= last_day]
    if not items:
        return 0
    currency = one_document_currency(work, profile, items)
    if currency is None:
        return None
    try:
        document = pending_document(work, customer, items, currency, profile)
    except MissingRate:  # the locking path logs it and leaves the items open
        return None
    if check(document.snapshot):  # the locking path logs it and leaves the items open
        return None
    try:
        await pending.insert_as_read(conn, document, work.ctx, items, last_day)
    except ItemsChanged:  # rolled back: the locking path
        return None
    work.tally.documents[document.invoice_id] = document.snapshot
    return 1


def is_deadlock(exc: BaseException | None) -> bool:
    """Postgres chose this transaction to break a deadlock (asyncpg's error, however wrapped)."""
    while exc is not None:
        if getattr(exc, "sqlstate", None) == DEADLOCK:
            return True
        exc = getattr(exc, "orig", None) or exc.__cause__
    return False


async def bill_locked(work: RunWork, customer: str, profile: BillingProfile | None) -> int:
    """Bill one customer in one transaction; returns how many documents wait for a number.

    A deadlock (a concurrent ingest batch touching the same customer's items and generator
    totals) rolls the transaction back; the customer is then billed again from the start.
    Counts are added once the transaction committed.
    """
    for attempt in range(1, ATTEMPTS + 1):
        counts = RunCounts()
        try:
            documents = await bill_locked_once(work, customer, profile, counts)
        except Exception as exc:
            if attempt == ATTEMPTS or not is_deadlock(exc):
                raise
            log.warning("deadlock billing %s, attempt %d: billing it again", customer, attempt)
            continue
        work.tally.counts.drafts_created += counts.drafts_created
        work.tally.counts.customers_skipped += counts.customers_skipped
        return documents
    raise AssertionError("unreachable")


async def bill_locked_once(work: RunWork, customer: str, profile: BillingProfile | None,
                           counts: RunCounts) -> int:
    async with work.uow_factory() as uow:
        job = work.job(uow)
        if profile is None:
            job.log(f"No billing profile for {customer}: nothing billed", LogLevel.WARNING)
            await uow.commit()
            return 0
        if profile.parked_reason:
            job.log(f"Parked: {profile.name} left out ({profile.parked_reason})")
            await uow.commit()
            return 0
        conn, items = await billable_items.lock_open_items(
            uow.session, customer, work.ctx, work.ctx.last_day_for(profile.billing_frequency))
        documents, carried = 0, []
        if items and profile.tax_treatment(work.ctx.seller_country) is None:
            job.log(profile.undecided(), LogLevel.WARNING)  # its items stay open
            counts.customers_skipped += 1
            items = []
        batches = (billable_converted(work, job, profile, items, counts, carried)
                   if profile.converts_into()
                   else billable_now(job, profile, items, counts, work.ctx, carried))
        for currency, billed in batches:
            if profile.drafts_by_default:  # the clerk issues it from the drafts list
                rate = (profile.issuer.domestic_vat_rate if profile.issuer
                        else work.ctx.domestic_vat_rate)
                period = work.ctx.period_for(profile.billing_frequency)
                draft = Draft.from_items(billed, profile.presets(
                    work.ctx.seller_country, period and service_period(billed, period)), rate)
                await drafts_repo.insert(uow.session, uuid.uuid4(), customer, draft,
                                         work.ctx.requested_by, work.ctx.run_id)
                counts.drafts_created += 1
                job.log(f"Draft created for {profile.name}")
                continue
            try:
                document = pending_document(work, customer, billed, currency, profile)
            except MissingRate as missing:  # never guessed: the items stay open
                job.log(f"{missing}: {profile.name} not billed", LogLevel.WARNING)
                counts.customers_skipped += 1
                continue
            if violations := check(document.snapshot):  # nothing numbered, items stay open
                job.log(not_created(profile.name, violations), LogLevel.WARNING)
                counts.customers_skipped += 1
                continue
            await pending.insert(conn, document, work.ctx, billed)
            documents += 1
        await runs_repo.add_counts(conn, work.ctx.run_id, counts)
        await periods_repo.record_carried(conn, work.ctx.run_id, customer, carried)
        await uow.commit()
        return documents


def billable_now(job: JobReporter, profile: BillingProfile, items: Sequence[Item],
                 counts: RunCounts, ctx: RunContext, carried: list[Carried]
                 ) -> list[tuple[str, list[Item]]]:
    """The items per currency that bill now; the job log says which wait (threshold) and
    where the threshold's maximum age bills them anyway; ``carried`` gets what waits."""
    by_currency: dict[str, list[Item]] = {}
    for item in items:
        by_currency.setdefault(item.currency, []).append(item)
    now = []
    for currency, billed in sorted(by_currency.items()):
        total, threshold = total_of(billed, currency), profile.threshold_in(currency)
        if profile.bills_now(total, currency):
            now.append((currency, billed))
            continue
        oldest = min(i.day for i in billed)
        why = threshold_waiver(oldest, profile, ctx)
        if why and (total > 0 or profile.side is Side.ADVERTISER):  # never pay out < 0
            job.log(f"Threshold waived for {profile.name}: {why}")
            now.append((currency, billed))
            continue
        counts.customers_skipped += 1
        carried.append(Carried(currency, total, threshold or Decimal(0), len(billed), oldest))
        job.log(skipped_line(profile, total, threshold, currency))
    return now


def skipped_line(profile: BillingProfile, total: Decimal, threshold: Decimal | None,
                 currency: str) -> str:
    """The job-log line of items a run leaves open below the threshold; an affiliate's are
    payout items (a negative balance waits under any threshold: it is netted later)."""
    what = "payout items" if profile.side is Side.AFFILIATE else "items"
    return (f"Skipped {what} with a total of {total} {currency} (threshold "
            f"{round_money(threshold or Decimal(0), currency)} {currency}) for {profile.name}")
