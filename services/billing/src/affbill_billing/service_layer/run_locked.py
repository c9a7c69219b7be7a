"""The locking path of a run: one customer, one transaction — lock its items, plan, write.

Every customer the one-statement path leaves (no profile, drafts by default, several
currencies, below the threshold, items changed, VAT treatment undecided) is billed here.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from decimal import Decimal

from affbill_billing.adapters import billable_items, periods_repo, runs_repo
from affbill_billing.adapters.invoices import drafts as drafts_repo
from affbill_billing.adapters.invoices import pending
from affbill_billing.adapters.periods_repo import Carried
from affbill_billing.domain.billing_profile import BillingProfile
from affbill_billing.domain.customers import Side
from affbill_billing.domain.drafts import Draft
from affbill_billing.domain.en16931 import check
from affbill_billing.domain.fx import MissingRate
from affbill_billing.domain.grouping import Item
from affbill_billing.domain.invoicing import service_period
from affbill_billing.domain.money import round_money
from affbill_billing.domain.runs import RunContext, RunCounts, threshold_waiver
from affbill_billing.service_layer.run_conversion import billable_converted
from affbill_billing.service_layer.run_work import RunWork, not_created, pending_document, total_of
from affbill_contracts.jobs import LogLevel
from affbill_runtime.jobs import JobReporter

log = logging.getLogger("affbill.billing.runs")
DEADLOCK = "40P01"
ATTEMPTS = 3


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
