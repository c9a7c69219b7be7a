"""Dry runs: a job that computes what a real run would do — documents per customer with
totals, drafts, skips with reasons — and compares it with the previous period's runs per
customer, changing nothing a run changes (no item, number, document or run row; only its
job's events and its own result lines for the CSV are written)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from affbill_billing.adapters import billable_items, dry_runs_repo, profiles_repo
from affbill_billing.adapters.runs_repo import selected_customers
from affbill_billing.config import Settings
from affbill_billing.domain.billing_profile import BillingProfile
from affbill_billing.domain.dry_run import DryRunLine, customer_outcome
from affbill_billing.domain.money import round_money
from affbill_billing.domain.periods import BillingFrequency, BillingPeriod, period_of
from affbill_billing.domain.runs import RunContext, last_day_read
from affbill_billing.domain.wording import counted
from affbill_billing.service_layer import periods
from affbill_contracts.billing import ProcessSelected
from affbill_contracts.envelope import Envelope
from affbill_contracts.jobs import JobKind, JobStatus, LogLevel
from affbill_runtime.db import UnitOfWork
from affbill_runtime.jobs import JobReporter

SERVICE = "billing"
READ_CHUNK = 500  # customers whose open items are read with one query
UowFactory = Callable[[], UnitOfWork]


async def dry_run(uow_factory: UowFactory, envelope: Envelope[ProcessSelected],
                  ctx: RunContext, settings: Settings) -> dict[str, Any]:
    """Compute the run the command describes, log it, keep its lines; bill nothing."""
    run = envelope.payload
    async with uow_factory() as uow:
        conn = await uow.session.connection()
        if await dry_runs_repo.done(conn, run.run_id):
            return {"already_done": True}
        customers = await selected_customers(uow.session, run, last_day_read(
            run.period_end, ctx.today))
        job = JobReporter(uow, SERVICE, ctx.job_id)
        job.started(JobKind.BATCH_RUN, f"Dry run: {counted(len(customers), 'customer')}",
                    run.requested_by)
        for r in await periods.readiness_of(conn, await periods.run_periods(
                conn, run, customers, ctx.today), settings):
            job.log(r.describe(), LogLevel.INFO if r.ready else LogLevel.WARNING)
        await uow.commit()
    lines, profiles = await _outcomes(uow_factory, ctx, customers)
    async with uow_factory() as uow:
        conn = await uow.session.connection()
        lines = await _compared(conn, ctx, lines, profiles,
                                None if run.all_customers else customers)
        await dry_runs_repo.insert(await uow.driver_connection(), run.run_id, lines)
        job = JobReporter(uow, SERVICE, ctx.job_id)
        for line in lines:
            job.log(describe(line), LogLevel.WARNING if line.outcome == "missing"
                    else LogLevel.INFO)
        counts = tally(lines)
        job.log(summary(counts, lines))
        job.finished(JobStatus.SUCCEEDED, **counts)
        await uow.commit()
    return counts


async def _outcomes(uow_factory: UowFactory, ctx: RunContext, customers: list[str]
                    ) -> tuple[list[DryRunLine], dict[str, BillingProfile]]:
    lines: list[DryRunLine] = []
    profiles: dict[str, BillingProfile] = {}
    for i in range(0, len(customers), READ_CHUNK):
        chunk = customers[i:i + READ_CHUNK]
        async with uow_factory() as uow:  # read only, each statement on its own
            items = await billable_items.open_items(await uow.autocommit_connection(), chunk,
                                                    ctx)
            found = await profiles_repo.profiles(uow.session, chunk)
        profiles.update(found)
        for customer in chunk:
            mine = items.get(customer, [])
            if not ctx.bills_whole(customer):
                mine = [it for it in mine if it.item_id in set(ctx.item_ids)]
            lines += customer_outcome(ctx, customer, found.get(customer), mine)
    return lines, profiles


def previous_of(ctx: RunContext, frequency: BillingFrequency) -> BillingPeriod | None:
    period = ctx.period_for(frequency)
    return None if period is None else period_of(frequency, period.start - dt.timedelta(1))


async def _compared(conn: Any, ctx: RunContext, lines: list[DryRunLine],
                    profiles: dict[str, BillingProfile], selected: list[str] | None
                    ) -> list[DryRunLine]:
    """Each line against the previous period of its customer's frequency; customers billed
    then and not now are added as ``missing``."""
    before: dict[BillingFrequency, dict[tuple[str, str], Decimal]] = {}
    for frequency in BillingFrequency:
        previous = previous_of(ctx, frequency)
        if previous is not None:
            before[frequency] = await dry_runs_repo.previous_totals(
                conn, previous.start, previous.end, selected)
    now = {(line.customer_id, line.currency) for line in lines}
    left_out = {line.customer_id for line in lines if not line.currency}  # parked, no profile
    gone = sorted({k for totals in before.values() for k in totals
                   if k not in now and k[0] not in left_out})
    profiles = {**profiles, **await profiles_repo.profiles(conn, [c for c, _ in gone])}
    names = await dry_runs_repo.names(conn, [c for c, _ in gone])

    def previous_net(customer: str, currency: str) -> Decimal | None:
        profile = profiles.get(customer)
        totals = before.get(profile.billing_frequency) if profile else None
        return None if totals is None else totals.get((customer, currency))

    out = [line.compared(previous_net(line.customer_id, line.currency)) for line in lines]
    for customer, currency in gone:
        previous = previous_net(customer, currency)
        if previous is not None:
            out.append(DryRunLine(customer, names.get(customer, customer), currency, "missing",
                                  previous_net_total=previous,
                                  reason="billed in the previous period, nothing now"))
    return out


def describe(line: DryRunLine) -> str:
    """The job log's line for one customer and currency."""
    if line.outcome in ("skipped", "no_profile"):  # a reason that names no one gets the name
        reason = line.reason or line.outcome
        return reason if line.name in reason else f"{reason} for {line.name}"
    if line.outcome == "parked":
        return line.reason or f"Parked: {line.name}"
    if line.outcome == "missing":
        return (f"Missing: {line.name} was billed {line.previous_net_total:.2f} "
                f"{line.currency} net in the previous period, nothing now")
    what = {"invoice": "an invoice", "credit_note": "a credit note", "draft": "a draft"}
    net = round_money(line.net_total or Decimal(0), line.currency)
    change = ("new customer" if line.previous_net_total is None
              else f"{line.change_percent:+} % vs {line.previous_net_total:.2f}"
              if line.change_percent is not None else "previously 0.00")
    return (f"Would create {what[line.outcome]} for {line.name}: {net} {line.currency} net "
            f"({change})")


def tally(lines: list[DryRunLine]) -> dict[str, int]:
    def count(*outcomes: str) -> int:
        return sum(line.outcome in outcomes for line in lines)

    return {"documents": count("invoice", "credit_note"), "drafts": count("draft"),
            "skipped": count("skipped", "no_profile"), "parked": count("parked"),
            "missing": count("missing"),
            "new": sum(line.outcome in ("invoice", "credit_note", "draft")
                       and line.previous_net_total is None for line in lines)}


def summary(counts: dict[str, int], lines: list[DryRunLine]) -> str:
    per_currency: dict[str, Decimal] = {}
    for line in lines:
        if line.outcome in ("invoice", "credit_note") and line.gross_total is not None:
            per_currency[line.currency] = per_currency.get(line.currency, Decimal(0)) + \
                line.gross_total
    would = ", ".join(f"{round_money(v, c)} {c}" for c, v in sorted(per_currency.items()))
    return (f"Dry run finished: {counted(counts['documents'], 'document')}, "
            f"{counted(counts['drafts'], 'draft')}, "
            f"{counts['skipped']} skipped, {counts['parked']} parked, {counts['new']} new, "
            f"{counts['missing']} missing"
            + (f"; would invoice {would}" if would else "") + "; nothing was changed")
