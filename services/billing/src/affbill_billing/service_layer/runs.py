"""Batch runs ("Process selected"): per customer, one transaction, per currency one document.

Idempotent by construction: the run's row records that it was asked for; each
customer's open items leave the open state in the transaction that creates their
document, and only if they are the items that document was planned from. A
redelivered or restarted run finds only what is still open, so it completes what is
missing and doubles nothing. A customer's documents wait
as 'pending' until the run numbers them, many per transaction, from the series'
counter row locked by that transaction: gapless, and one commit for many.

Speed (bench/batch_run.py): profiles and open items are read for many customers at
once, and a customer whose items all go on one document is billed in one statement, its
own transaction: it invoices the customer's open items and inserts the pending document,
and fails as a whole unless the items it invoiced are the ones read (fingerprint). Other
customers, and those whose items changed, take the locking path: lock the items (SKIP
LOCKED: a concurrent run leaves them to the one holding them), plan, insert, commit.
Pending documents are numbered while the next customers are billed, 500 per transaction
with one set-based UPDATE.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import itertools
import logging
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import asyncpg
import orjson
from sqlalchemy import text

from affbill_billing.adapters import drafts_repo
from affbill_billing.adapters.numbering import take_numbers
from affbill_billing.config import Settings
from affbill_billing.domain.dates import InvoiceDateRule
from affbill_billing.domain.drafts import Draft
from affbill_billing.domain.grouping import Item, LineGrouping
from affbill_billing.domain.invoicing import InvoicePlan, Terms, document_type, plan_invoice
from affbill_billing.domain.money import round_money
from affbill_billing.domain.profiles import TaxTreatment
from affbill_billing.domain.thresholds import bills_now
from affbill_billing.service_layer.documents import snapshot
from affbill_billing.service_layer.drafts import presets_of
from affbill_contracts import topics
from affbill_contracts.billing import InvoiceIssued, ProcessSelected
from affbill_contracts.envelope import Envelope
from affbill_contracts.invoices import InvoiceDocument
from affbill_contracts.jobs import JobKind, JobStatus, LogLevel
from affbill_runtime.db import UnitOfWork
from affbill_runtime.jobs import JobReporter

SERVICE = "billing"
log = logging.getLogger("affbill.billing.runs")
PENDING_NUMBER = "(pending)"
ISSUE_BATCH = 500  # pending documents numbered per transaction
PROFILE_CHUNK = 1000  # customers whose profiles are read with one query
ITEMS_CHUNK = 25  # customers whose open items are read with one query
YIELD_EVERY = 25  # documents numbered between turns of the event loop

PROFILES = text("""
select p.*, c.name from billing_profiles p join customers c using (customer_id)
where customer_id = any(:c)
""")
# the customer's transaction begins with this statement (through the session, which
# begins it); the statements after it go straight to asyncpg on the same connection
LOCK_ITEMS = """
select item_id, offer_id, offer_name, day, currency, units, revenue from billable_items
where customer_id = $1 and state = 'open' and draft_id is null
  and ($2::uuid[] is null or item_id = any($2::uuid[]))
  and ($3::date is null or day <= $3::date)
order by day, offer_id for update skip locked
"""
INVOICE_ITEMS = """
with pending as (
    insert into invoices (invoice_id, customer_id, series, status, document_type, currency,
        issue_date, due_date, period_start, period_end, net_total, tax_total, gross_total,
        snapshot, run_id)
    values ($1, $2, $3, 'pending', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14))
update billable_items set state = 'invoiced', invoice_id = $1, updated_at = now()
where item_id = any($15::uuid[])
"""
OPEN_ITEMS = """
select customer_id, item_id, offer_id, offer_name, day, currency, units, revenue
from billable_items
where customer_id = any($1::text[]) and state = 'open' and draft_id is null
  and ($2::date is null or day <= $2::date)
order by customer_id, day, offer_id
"""
# One customer, one statement (its own transaction): invoice the customer's open items
# and insert the pending document, on the premise that they are exactly the items read
# before (same ids, units and revenue: the same fingerprint). If they are not — restated,
# reserved by a draft, gone — require() fails the statement, nothing is written, and the
# customer takes the locking path. Items that appeared after the read are not seen by the
# statement either and stay open for the next run.
FINGERPRINT = ("md5(string_agg(item_id::text || '/' || units || '/' || revenue, ','"
               " order by item_id))")
ITEMS_CHANGED = "AF001"  # the SQLSTATE require() fails with (migration billing_0011)
INVOICE_ITEMS_AS_READ = f"""
with invoiced as (
    update billable_items set state = 'invoiced', invoice_id = $1, updated_at = now()
    where customer_id = $2 and state = 'open' and draft_id is null
      and ($15::date is null or day <= $15::date)
    returning item_id, units, revenue)
insert into invoices (invoice_id, customer_id, series, status, document_type, currency,
    issue_date, due_date, period_start, period_end, net_total, tax_total, gross_total,
    snapshot, run_id)
select $1::uuid, $2::text, $3::text, 'pending', $4::text, $5::text, $6::date, $7::date,
       $8::date, $9::date, $10::numeric, $11::numeric, $12::numeric, $13::jsonb, $14::uuid
where require((select {FINGERPRINT} from invoiced) = $16::text,
              'the open items changed since they were read')
"""
# A pending document needs no flush to disk of its own: lost in a database crash, it
# takes its items' invoicing with it (one transaction), the run resumes and bills them
# again, and nothing left Postgres yet. The numbering transaction flushes synchronously,
# and the WAL is one sequence: every pending document it numbers is on disk before its
# number and its event are.
PENDING_WITHOUT_FLUSH = "set synchronous_commit to off"
PENDING = """
select invoice_id, customer_id, series, currency, issue_date, gross_total
from invoices where run_id = $1 and status = 'pending'
order by created_at, invoice_id limit $2 for update skip locked
"""
SNAPSHOTS = "select invoice_id, snapshot::text from invoices where invoice_id = any($1::uuid[])"
# the stored snapshot gets its number in place: no second copy of it travels to Postgres
ISSUE = """
update invoices i set number = n.number, status = 'issued', issued_at = now(),
    snapshot = jsonb_set(jsonb_set(i.snapshot, '{number}', to_jsonb(n.number)),
                         '{payment,reference}', to_jsonb(n.number))
from unnest($1::uuid[], $2::text[]) as n(invoice_id, number)
where i.invoice_id = n.invoice_id
"""


@dataclass
class _Tally:
    """What the run did so far (the summary line and the job's counters)."""

    counts: dict[str, int] = field(default_factory=lambda: {
        "documents_created": 0, "drafts_created": 0, "customers_skipped": 0})
    invoiced: dict[str, Decimal] = field(default_factory=dict)
    pending: int = 0  # documents of this process waiting for their number
    # the snapshots this process stored for them, so numbering need not read them back
    documents: dict[uuid.UUID, InvoiceDocument] = field(default_factory=dict)


async def _raw(uow: UnitOfWork, sql: str, *args: Any) -> tuple[Any, list[Any]]:
    """Run the transaction's first statement through the session (which begins the
    transaction) and return the asyncpg connection for the statements after it."""
    connection = await uow.session.connection()
    rows = (await connection.exec_driver_sql(sql, args)).all()
    return (await connection.get_raw_connection()).driver_connection, rows


async def process_selected(uow_factory: Callable[[], UnitOfWork],
                           envelope: Envelope[ProcessSelected],
                           settings: Settings, today: dt.date | None = None) -> dict[str, Any]:
    run: ProcessSelected = envelope.payload
    job_id = envelope.job_id or run.run_id
    today = today or dt.date.today()
    async with uow_factory() as uow:
        fresh = (await uow.session.execute(text(
            "insert into runs (run_id, requested_by, status) values (:r, :by, 'running') "
            "on conflict (run_id) do nothing returning run_id"),
            {"r": run.run_id, "by": run.requested_by})).first()
        status = await uow.session.scalar(text("select status from runs where run_id = :r"),
                                          {"r": run.run_id})
        if status == "finished":
            return {"already_done": True}
        job = JobReporter(uow, SERVICE, job_id)
        if fresh:
            job.started(JobKind.BATCH_RUN, f"Process selected: {len(run.customer_ids)} customers, "
                        f"{len(run.item_ids)} items", run.requested_by)
        else:
            job.log("Run resumed after an interruption")
        await uow.commit()

    customers = await _customers(uow_factory, run)
    tally = _Tally()
    whole = set(run.customer_ids)
    batch_ready = asyncio.Event()  # enough pending documents for a numbering transaction
    billing_done = False

    async def number_meanwhile() -> None:
        """Number pending documents while the next customers are billed."""
        while not billing_done:
            await batch_ready.wait()
            batch_ready.clear()
            while tally.pending >= ISSUE_BATCH:
                issued = await _issue_pending(uow_factory, run, job_id, tally)
                if not issued:  # another transaction holds them: they are numbered there
                    break
                tally.pending -= issued

    numbering = asyncio.create_task(number_meanwhile())
    try:
        done = 0
        for chunk in _chunks(customers, PROFILE_CHUNK):
            profiles = await _profiles(uow_factory, chunk)
            queue = iter(chunk)

            async def billed(customer_pending: int) -> None:
                nonlocal done
                tally.pending += customer_pending
                if tally.pending >= ISSUE_BATCH:
                    batch_ready.set()
                done += 1
                if done % 100 == 0 or done == len(customers):
                    async with uow_factory() as uow:
                        JobReporter(uow, SERVICE, job_id).progress(
                            "customers", done, len(customers), **tally.counts)
                        await uow.commit()

            async def worker(queue: Iterator[str] = queue,
                             profiles: dict[str, dict[str, Any]] = profiles) -> None:
                # customers are independent: the workers' transactions overlap
                while few := list(itertools.islice(queue, ITEMS_CHUNK)):
                    locking: list[str] = []
                    async with uow_factory() as uow:
                        conn = await uow.autocommit_connection()
                        items = await _open_items(conn, few, run.period_end)
                        await conn.execute(PENDING_WITHOUT_FLUSH)
                        try:
                            for customer in few:
                                pending = await _bill_unchanged(
                                    conn, run, customer, items.get(customer, []),
                                    profiles.get(customer), settings, today,
                                    tally.documents) if customer in whole else None
                                if pending is None:
                                    locking.append(customer)
                                else:
                                    await billed(pending)
                        finally:
                            await conn.execute("reset synchronous_commit")
                    for customer in locking:
                        await billed(await _bill_customer(
                            uow_factory, run, job_id, customer, customer in whole,
                            profiles.get(customer), settings, today, tally))

            await asyncio.gather(*(worker() for _ in range(settings.run_concurrency)))
    finally:
        billing_done = True
        batch_ready.set()
        await numbering
    while await _issue_pending(uow_factory, run, job_id, tally):
        pass
    counts, invoiced = tally.counts, tally.invoiced
    async with uow_factory() as uow:
        job = JobReporter(uow, SERVICE, job_id)
        per_currency = ", ".join(f"{round_money(amount, cur)} {cur}"
                                 for cur, amount in sorted(invoiced.items()))
        drafts = counts["drafts_created"]
        job.log(f"Run finished: {counts['documents_created']} documents created, "
                + (f"{drafts} drafts created, " if drafts else "")
                + f"{counts['customers_skipped']} customers skipped"
                + (f"; invoiced {per_currency}" if per_currency else ""))
        job.finished(JobStatus.SUCCEEDED, **counts)
        await uow.session.execute(text(
            "update runs set status = 'finished', finished_at = now(), counts = :c "
            "where run_id = :r"), {"c": orjson.dumps(counts).decode(), "r": run.run_id})
        await uow.commit()
    return counts


def _chunks(values: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


async def _customers(uow_factory: Callable[[], UnitOfWork], run: ProcessSelected) -> list[str]:
    chosen = list(dict.fromkeys(run.customer_ids))
    if run.item_ids:
        async with uow_factory() as uow:
            owners = (await uow.session.execute(text(
                "select distinct customer_id from billable_items where item_id = any(:i)"),
                {"i": list(run.item_ids)})).scalars().all()
        chosen += [c for c in owners if c not in chosen]
    return chosen


async def _profiles(uow_factory: Callable[[], UnitOfWork], customers: Sequence[str]
                    ) -> dict[str, dict[str, Any]]:
    """Billing profiles (with the customer's name) of many customers, read at once."""
    async with uow_factory() as uow:
        rows = (await uow.session.execute(PROFILES, {"c": list(customers)})).mappings()
        return {r["customer_id"]: dict(r) for r in rows}


async def _open_items(conn: Any, customers: Sequence[str], period_end: dt.date | None
                      ) -> dict[str, list[Item]]:
    """The open items of some customers, read without locking them."""
    out: dict[str, list[Item]] = {}
    for r in await conn.fetch(OPEN_ITEMS, list(customers), period_end):
        out.setdefault(r[0], []).append(Item(*r[1:]))
    return out


def fingerprint(items: Sequence[Item]) -> str:
    """What FINGERPRINT computes in Postgres for the same items (numeric as its text)."""
    text = ",".join(f"{i.item_id}/{i.units}/{i.revenue:f}"
                    for i in sorted(items, key=lambda i: i.item_id))
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _terms(profile: dict[str, Any], settings: Settings) -> Terms:
    return Terms(TaxTreatment(profile["tax_treatment"]), settings.domestic_vat_rate,
                 LineGrouping(profile["line_grouping"]),
                 InvoiceDateRule(profile["invoice_date_rule"]), profile["payment_days"])


def _threshold(profile: dict[str, Any], currency: str) -> Decimal | None:
    """The customer's billing threshold where it is set in this currency (or in none)."""
    return (profile["threshold_amount"]
            if profile["threshold_currency"] in (None, currency) else None)


def _total(items: Sequence[Item], currency: str) -> Decimal:
    return round_money(sum((i.revenue for i in items), Decimal(0)), currency)


def _pending_document(invoice_id: uuid.UUID, customer: str, plan: InvoicePlan,
                      profile: dict[str, Any], settings: Settings
                      ) -> tuple[str, InvoiceDocument]:
    """The document type (a negative total is a credit note) and the snapshot, unnumbered."""
    kind = document_type(plan.totals.net)
    return kind, snapshot(invoice_id, PENDING_NUMBER, customer, plan, profile, settings,
                          document_type=kind,
                          notes=[profile["intro_text"], profile["closing_text"]])


async def _bill_unchanged(conn: Any, run: ProcessSelected, customer: str, items: list[Item],
                          profile: dict[str, Any] | None, settings: Settings, today: dt.date,
                          documents: dict[uuid.UUID, InvoiceDocument] | None = None
                          ) -> int | None:
    """Bill a customer whose open items (read unlocked) make one document, in one statement.

    Returns the documents waiting for a number (0: nothing was open), or None when the
    customer takes the locking path: no profile, drafts by default, several currencies,
    below the threshold (the skip is logged there), or its items changed meanwhile.
    """
    if not items:
        return 0
    currency = items[0].currency
    if (profile is None or profile["drafts_by_default"]
            or any(i.currency != currency for i in items)
            or not bills_now(_total(items, currency), _threshold(profile, currency))):
        return None
    plan = plan_invoice(items, currency, _terms(profile, settings), today)
    invoice_id = uuid.uuid4()
    kind, document = _pending_document(invoice_id, customer, plan, profile, settings)
    try:
        await conn.execute(
            INVOICE_ITEMS_AS_READ, invoice_id, customer, profile["number_series"], kind,
            currency, plan.issue_date, plan.due_date, plan.period_start, plan.period_end,
            plan.totals.net, plan.totals.tax, plan.totals.gross, document.model_dump_json(),
            run.run_id, run.period_end, fingerprint(items))
    except asyncpg.PostgresError as exc:
        if exc.sqlstate in (ITEMS_CHANGED, DEADLOCK):  # rolled back: the locking path
            return None
        raise
    if documents is not None:
        documents[invoice_id] = document
    return 1


DEADLOCK = "40P01"
ATTEMPTS = 3


def _is_deadlock(exc: BaseException | None) -> bool:
    """Postgres chose this transaction to break a deadlock (asyncpg's error, however wrapped)."""
    while exc is not None:
        if getattr(exc, "sqlstate", None) == DEADLOCK:
            return True
        exc = getattr(exc, "orig", None) or exc.__cause__
    return False


async def _bill_customer(uow_factory: Callable[[], UnitOfWork], run: ProcessSelected,
                         job_id: uuid.UUID, customer: str, whole_customer: bool,
                         profile: dict[str, Any] | None, settings: Settings, today: dt.date,
                         tally: _Tally) -> int:
    """Bill one customer in one transaction; returns how many documents wait for a number.

    A deadlock (a concurrent ingest batch touching the same customer's items and generator
    totals) rolls the transaction back; the customer is then billed again from the start.
    """
    for attempt in range(1, ATTEMPTS + 1):
        counts: Counter[str] = Counter()
        try:
            pending = await _bill_customer_once(uow_factory, run, job_id, customer,
                                                whole_customer, profile, settings, today, counts)
        except Exception as exc:
            if attempt == ATTEMPTS or not _is_deadlock(exc):
                raise
            log.warning("deadlock billing %s, attempt %d: billing it again", customer, attempt)
            continue
        for name, n in counts.items():  # counted once the transaction committed
            tally.counts[name] += n
        return pending
    raise AssertionError("unreachable")


async def _bill_customer_once(uow_factory: Callable[[], UnitOfWork], run: ProcessSelected,
                              job_id: uuid.UUID, customer: str, whole_customer: bool,
                              profile: dict[str, Any] | None, settings: Settings,
                              today: dt.date, counts: Counter[str]) -> int:
    async with uow_factory() as uow:
        job = JobReporter(uow, SERVICE, job_id)
        if profile is None:
            job.log(f"No billing profile for {customer}: nothing billed", LogLevel.WARNING)
            await uow.commit()
            return 0
        conn, rows = await _raw(uow, LOCK_ITEMS, customer,
                                None if whole_customer else list(run.item_ids), run.period_end)
        by_currency: dict[str, list[Item]] = {}
        for r in rows:
            by_currency.setdefault(r[4], []).append(Item(*r))
        terms = _terms(profile, settings)
        plans = []
        for currency, items in sorted(by_currency.items()):
            total = _total(items, currency)
            threshold = _threshold(profile, currency)
            if not bills_now(total, threshold):
                counts["customers_skipped"] += 1
                job.log(f"Skipped items with a total of {total} {currency} (threshold "
                        f"{round_money(threshold, currency)} {currency}) for {profile['name']}")
                continue
            plans.append((currency, items, plan_invoice(items, currency, terms, today)))
        pending = 0
        for currency, items, plan in plans:
            invoice_id = uuid.uuid4()
            if profile["drafts_by_default"]:  # the clerk issues it from the drafts list
                draft = Draft.from_items(items, presets_of(profile), settings.domestic_vat_rate)
                await drafts_repo.insert(uow.session, invoice_id, customer, draft,
                                         run.requested_by, run.run_id)
                counts["drafts_created"] += 1
                job.log(f"Draft created for {profile['name']}")
                continue
            kind, document = _pending_document(invoice_id, customer, plan, profile, settings)
            await conn.execute(
                INVOICE_ITEMS, invoice_id, customer, profile["number_series"], kind, currency,
                plan.issue_date, plan.due_date, plan.period_start, plan.period_end,
                plan.totals.net, plan.totals.tax, plan.totals.gross, document.model_dump_json(),
                run.run_id, [i.item_id for i in items])
            pending += 1
        await uow.commit()
        return pending


async def _issue_pending(uow_factory: Callable[[], UnitOfWork], run: ProcessSelected,
                         job_id: uuid.UUID, tally: _Tally) -> int:
    """Number and issue a batch of this run's pending invoices in one transaction.

    The series' counter row is locked once per batch instead of once per invoice, so
    one commit issues many documents; numbers stay gapless (a rollback returns them all).
    """
    async with uow_factory() as uow:
        conn, pending = await _raw(uow, PENDING, run.run_id, ISSUE_BATCH)
        if not pending:
            return 0
        job = JobReporter(uow, SERVICE, job_id)
        ids: list[uuid.UUID] = []
        numbers: list[str] = []
        stored = {p.invoice_id: tally.documents.get(p.invoice_id) for p in pending}
        # read back only what this process's single statements did not build: documents
        # of the locking path, of another process or of an interrupted run
        if missing := [i for i, doc in stored.items() if doc is None]:
            stored.update({r[0]: InvoiceDocument.model_validate_json(r[1])
                           for r in await conn.fetch(SNAPSHOTS, missing)})
        for series in sorted({p.series for p in pending}):
            batch = [p for p in pending if p.series == series]
            numbering, first = await take_numbers(uow.session, series, len(batch))
            for offset, p in enumerate(batch):
                if offset % YIELD_EVERY == YIELD_EVERY - 1:
                    await asyncio.sleep(0)  # let the billing workers' statements go on
                number = numbering.format(first + offset, p.issue_date)
                unnumbered = stored[p.invoice_id]
                assert unnumbered is not None
                document = unnumbered.model_copy(update={
                    "number": number,
                    "payment": unnumbered.payment.model_copy(update={"reference": number})})
                ids.append(p.invoice_id)
                numbers.append(number)
                uow.publish(topics.BILLING_INVOICES, p.customer_id, Envelope.wrap(
                    InvoiceIssued(document=document, run_id=run.run_id,
                                  issued_by=run.requested_by), job_id=job_id))
                job.log(f"Document {number} created for {document.buyer.name}")
                tally.counts["documents_created"] += 1
                tally.invoiced[p.currency] = (tally.invoiced.get(p.currency, Decimal(0))
                                              + p.gross_total)
        await conn.execute(ISSUE, ids, numbers)
        await uow.commit()
    for invoice_id in ids:
        tally.documents.pop(invoice_id, None)
    return len(pending)
