"""Each step of test_billing_oracle done twice: by billing's service layer on the real
database, and by the twins on the oracle's World. Where billing answers with ids the
twins cannot know (a run's documents, a draft, a cancellation), the driver learns them
and checks that they are the documents the twins expected."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from hypothesis import event

from affbill_billing.domain.billable_items import BillableItem, StatRow
from affbill_billing.domain.invoicing import document_type
from affbill_billing.domain.profiles import default_tax_treatment
from affbill_billing.domain.run_documents import one_statement, run_documents
from affbill_billing.service_layer import ingest, runs
from affbill_billing.service_layer.ingest import Delivered
from affbill_contracts import AdvertiserSynced, Envelope, StatRowSynced, encode, topics
from affbill_contracts.billing import ProcessSelected
from affbill_contracts.common import PostalAddress
from affbill_runtime.runtime import Runtime
from tests.integration.billing.oracle_generator import ManualGenerator
from tests.integration.billing.oracle_steps import (
    CUSTOMERS,
    DAY,
    PartnerFact,
    ProfileEdit,
    Redeliver,
    Restate,
    RowSpec,
    Run,
    StatRows,
    Step,
    customer_id,
)
from tests.integration.billing.oracle_world import TODAY, Document, Profile, World

GARBAGE = b'{"type": "adtracker.stat_row.synced"}'
Batch = list[tuple[Delivered, StatRow | None]]


def stat_message(spec: RowSpec, offset: int) -> tuple[Delivered, StatRow]:
    c, day = CUSTOMERS[spec.customer], DAY + dt.timedelta(days=spec.day)
    key = f"{c}|{day}|7|{spec.offer}|{spec.affiliate}|{spec.currency}"
    event_ = Envelope.wrap(StatRowSynced(
        connector=c, stat_key=key, date=day, advertiser_id="7", offer_id=spec.offer,
        offer_name=spec.offer_name, affiliate_id=spec.affiliate, currency=spec.currency,
        conversions=spec.units, revenue=spec.revenue, payout=0, removed=spec.removed))
    stored = StatRow(key, customer_id(spec.customer), spec.offer, spec.offer_name, day,
                     spec.currency, 0 if spec.removed else spec.units,
                     Decimal(0) if spec.removed else spec.revenue)
    return Delivered(topics.ADTRACKER_STATS, spec.partition, offset, encode(event_)), stored


class _Meanwhile:
    """A stat batch that commits right after a run read the open items, before it bills
    them: the run's units of work hand out connections that apply the batch once, just
    after the first read of open billable items."""

    def __init__(self, steps: Steps, batch: Batch) -> None:
        self.steps, self.batch = steps, batch
        self.applied: int | None = None  # messages applied, once it happened

    def uow(self) -> Any:
        uow = self.steps.billing.uow()
        plain = uow.autocommit_connection

        async def autocommit_connection() -> Any:
            return _ReadThenRestate(await plain(), self)

        uow.autocommit_connection = autocommit_connection  # type: ignore[method-assign]
        return uow

    async def after_read(self) -> None:
        if self.applied is None:
            self.applied = await ingest.apply_stat_stream(self.steps.billing.uow,
                                                          [m for m, _ in self.batch])


class _ReadThenRestate:
    """An asyncpg connection that lets the batch commit after reading open items."""

    def __init__(self, conn: Any, meanwhile: _Meanwhile) -> None:
        self._conn, self._meanwhile = conn, meanwhile

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)

    async def fetch(self, query: str, *args: Any, **kwargs: Any) -> Any:
        rows = await self._conn.fetch(query, *args, **kwargs)
        if "from billable_items" in query and "state = 'open'" in query:
            await self._meanwhile.after_read()
        return rows


class Steps(ManualGenerator):
    """One example's billing: the runtime under test and the oracle beside it."""

    def __init__(self, billing: Runtime, conn: Any, world: World) -> None:
        self.billing, self.conn, self.world = billing, conn, world
        self.settings = billing.settings
        self.batches: list[Batch] = []
        self.offsets = [0, 0]
        self.drafted: list[uuid.UUID] = []  # every draft made, in order
        self.made: list[uuid.UUID] = []  # every document made, in order

    async def apply(self, step: Step) -> None:
        handler = getattr(self, f"_{type(step).__name__.lower()}")
        await handler(step)

    # ------------------------------------------------------------------ facts
    async def _statrows(self, step: StatRows) -> None:
        await self._stream(self._batch(step.rows, step.garbage), step.chunk_size)

    async def _restate(self, step: Restate) -> None:
        if spec := self._restated(step, list(self.world.items.stat_rows.values())):
            await self._stream(self._batch((spec,)), 2500)

    @staticmethod
    def _restated(step: Restate, rows: list[StatRow]) -> RowSpec | None:
        """The n-th of these stat rows as the source now says it (None: no rows yet)."""
        if not rows:
            return None
        row = rows[step.stat % len(rows)]
        c, affiliate = row.customer_id.split(":")[0], row.stat_key.split("|")[4]
        return RowSpec(CUSTOMERS.index(c), row.offer_id, (row.day - DAY).days, row.currency,
                       affiliate, step.units, step.revenue, step.removed, row.offer_name,
                       step.partition)

    async def _redeliver(self, step: Redeliver) -> None:
        assert await self._stream(self.batches[step.batch % len(self.batches)],
                                  step.chunk_size) == 0

    async def _stream(self, batch: Batch, chunk_size: int) -> int:
        applied = await ingest.apply_stat_stream(self.billing.uow, [m for m, _ in batch],
                                                 chunk_size)
        assert applied == self._stream_twin(batch, chunk_size), "stat messages applied"
        return applied

    def _stream_twin(self, batch: Batch, chunk_size: int) -> int:
        """The stat stream by the twins: each chunk one transaction, skipping what the
        partition's position says was applied; returns how many messages were new."""
        fresh_total = 0
        for start in range(0, len(batch), chunk_size):
            positions = self.world.positions
            fresh = [(m, r) for m, r in batch[start:start + chunk_size]
                     if m.offset > positions.get(m.partition, -1)]
            for m, _ in fresh:
                positions[m.partition] = max(m.offset, positions.get(m.partition, -1))
            self.world.items.apply_stat_rows(r for _, r in fresh if r is not None)
            self.world.rejected += sum(r is None for _, r in fresh)
            fresh_total += len(fresh)
        return fresh_total

    def _batch(self, rows: tuple[RowSpec, ...], garbage: bool = False) -> Batch:
        batch: Batch = []
        for spec in rows:
            batch.append(stat_message(spec, self.offsets[spec.partition]))
            self.offsets[spec.partition] += 1
        if garbage:
            batch.append((Delivered(topics.ADTRACKER_STATS, 0, self.offsets[0], GARBAGE), None))
            self.offsets[0] += 1
        self.batches.append(batch)
        return batch

    async def _partnerfact(self, step: PartnerFact) -> None:
        c = CUSTOMERS[step.customer]
        vat = f"{step.country}123" if step.vat else None
        fact = Envelope.wrap(AdvertiserSynced(
            connector=c, advertiser_id="7", company=f"Acme {c}", status="active",
            account_manager_id="3", currency=step.currency, vat_id=vat,
            address=PostalAddress(lines=["Rue 1"], city="Paris", country_code=step.country)))
        for _ in range(2 if step.twice else 1):
            await ingest.apply_partners(self.billing.uow(), [fact])
        # the first fact makes the profile; later edits are billing's own
        self.world.profiles.setdefault(customer_id(step.customer), Profile(
            default_tax_treatment(self.settings.seller_country, step.country, vat),
            threshold_currency=step.currency))

    async def _profileedit(self, step: ProfileEdit) -> None:
        customer = customer_id(step.customer)
        await self.conn.execute(
            "update billing_profiles set threshold_amount = $1, threshold_currency = $2, "
            "drafts_by_default = $3, line_grouping = $4 where customer_id = $5",
            step.threshold, step.threshold_currency, step.drafts_by_default,
            step.line_grouping.value, customer)
        if (profile := self.world.profiles.get(customer)) is not None:
            profile.threshold, profile.threshold_currency = step.threshold, step.threshold_currency
            profile.drafts_by_default, profile.line_grouping = (step.drafts_by_default,
                                                                step.line_grouping)

    # ------------------------------------------------------------------ runs
    async def _run(self, step: Run) -> None:
        world, every = self.world, sorted(self.world.items.items)
        chosen = list(dict.fromkeys(every[n % len(every)] for n in step.items)) if every else []
        customers = [customer_id(n) for n in step.customers]
        if not customers and not chosen:
            customers = [customer_id(0)]
        period_end = None if step.period_end is None else DAY + dt.timedelta(step.period_end)
        command = Envelope.wrap(ProcessSelected(
            run_id=uuid.uuid4(), customer_ids=customers, period_end=period_end,
            item_ids=[world.item_ids[r] for r in chosen], requested_by="anna"))
        # whole customers with nothing open when the run reads them are done: what a batch
        # committing after that read brings stays open for the next run
        unread = {c for c in customers if not world.items.selected_by_run(c, None, period_end)}
        # the run resolves its customers (chosen items' owners too) before it reads items
        billed = list(dict.fromkeys(customers + [world.items.items[r].customer_id
                                                 for r in chosen]))
        theirs = [r for r in world.items.stat_rows.values() if r.customer_id in customers]
        specs = [s for s in (self._restated(r, theirs) for r in step.meanwhile or ()) if s]
        meanwhile = _Meanwhile(self, self._batch(tuple(specs))) if specs else None
        counts = await runs.process_selected(meanwhile.uow if meanwhile else self.billing.uow,
                                             command, self.settings, TODAY)
        if meanwhile and meanwhile.applied is not None:
            event("run: a restatement committed between its read and its statements")
            assert meanwhile.applied == self._stream_twin(meanwhile.batch, 2500)
            expected, skips = self._run_twin(billed, customers, chosen, period_end, unread)
        else:
            expected, skips = self._run_twin(billed, customers, chosen, period_end, set())
        made = await self.conn.fetch(
            "select invoice_id, customer_id, currency, status from invoices where run_id = $1 "
            "order by customer_id, currency", command.payload.run_id)
        assert {(r[1], r[2]): r[3] for r in made} == {k: v[0] for k, v in expected.items()}
        drafts_made = sum(v[0] == "draft" for v in expected.values())
        assert counts == {"documents_created": len(expected) - drafts_made,
                          "drafts_created": drafts_made, "customers_skipped": skips}
        for invoice_id, customer, currency, status in made:
            _, items, profile = expected[(customer, currency)]
            self._document(invoice_id, customer, currency, status, items, profile)
        if meanwhile and meanwhile.applied is None:  # the run read nothing: the batch after it
            await self._stream(meanwhile.batch, 2500)
        if step.redelivered:
            assert await runs.process_selected(self.billing.uow, command, self.settings,
                                               TODAY) == {"already_done": True}

    def _run_twin(self, billed: list[str], customers: list[str], chosen: list[int],
                  period_end: dt.date | None, unread: set[str]
                  ) -> tuple[dict[tuple[str, str], tuple[str, list[BillableItem], Profile]], int]:
        """What the twins say a run makes: per (customer, currency) an issued invoice or a
        draft of these items; and how many currencies wait below the threshold."""
        every = self.world.items.items
        expected, skips = {}, 0
        for customer in billed:
            profile = self.world.profiles.get(customer)
            if profile is None or customer in unread:
                continue  # no billing profile (logged), or nothing open when read
            whole = customer in customers
            refs = None if whole else {r for r in chosen
                                       if r in every and every[r].customer_id == customer}
            selected = self.world.items.selected_by_run(customer, refs, period_end)
            if selected and profile.tax_treatment is None:  # 'VAT id missing …: not billed'
                event("run: VAT id missing")
                skips += 1
                continue
            plan = run_documents([self.world.item(i) for i in selected], profile.threshold,
                                 profile.threshold_currency)
            event("run: one statement" if one_statement(plan, whole, profile.drafts_by_default)
                  else "run: locking path")
            skips += len(plan.skips)
            for doc in plan.documents:
                expected[(customer, doc.currency)] = (
                    "draft" if profile.drafts_by_default else "issued",
                    [i for i in selected if i.currency == doc.currency], profile)
        return expected, skips

    def _document(self, invoice_id: uuid.UUID, customer: str, currency: str, status: str,
                  items: list[BillableItem], profile: Profile) -> None:
        amounts = self.world.amounts_of(items, currency, profile)
        self.made.append(invoice_id)
        if status == "draft":
            self.drafted.append(invoice_id)
            self.world.items.reserve([i.ref for i in items], invoice_id)
        else:
            self.world.items.invoice([i.ref for i in items], invoice_id)
        self.world.documents[invoice_id] = Document(
            invoice_id, customer, currency, status, amounts, document_type(amounts.net),
            reserved={i.ref: (i.revenue, i.units) for i in items} if status == "draft" else {})
