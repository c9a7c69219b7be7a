"""The steps of a sync: each reads one entity type and publishes what changed.

Each step runs inside one Kafka transaction and one database transaction
(sync_job.py); it counts what it fetched, published, found unchanged and
quarantined.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from affbill_contracts import topics
from affbill_contracts.adtracker import ConversionStatus, ConversionSynced
from affbill_contracts.envelope import Payload
from affbill_sync.adapters import encoding
from affbill_sync.adapters.connectors.base import Connector, DataChanged
from affbill_sync.adapters.cursors import Cursors, StagedRow
from affbill_sync.adapters.publisher import FactPublisher
from affbill_sync.domain import windows
from affbill_sync.domain.facts import day_digest, event_id, event_id_text, fingerprint
from affbill_sync.domain.model import StatFact, totals_of
from affbill_sync.domain.quarantine import Rejected

Quarantine = Callable[[list[Rejected]], Awaitable[None]]
Progress = Callable[["Counts"], Awaitable[None]]
MAX_RESTARTS = 3


@dataclass
class Counts:
    step: str
    fetched: int = 0
    published: int = 0
    unchanged: int = 0
    quarantined: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"fetched": self.fetched, "published": self.published,
                "unchanged": self.unchanged, "quarantined": self.quarantined}


@dataclass
class StepContext:
    connector: Connector
    publisher: FactPublisher
    cursors: Cursors
    job_id: uuid.UUID
    date_from: dt.date
    date_to: dt.date
    full_read: bool  # standard sync: compare every row, not only probed days
    quarantine: Quarantine
    progress: Progress
    republish: bool = False  # every stat row is published, changed or not

    @property
    def connector_id(self) -> str:
        return self.connector.config.id

    def customer_key(self, partner_id: str) -> str:
        return f"{self.connector_id}:{partner_id}"


PARTNERS = {  # entity → (topic, id field, connector method)
    "employee": (topics.ADTRACKER_EMPLOYEES, "employee_id", "employees"),
    "advertiser": (topics.ADTRACKER_ADVERTISERS, "advertiser_id", "advertisers"),
    "affiliate": (topics.ADTRACKER_AFFILIATES, "affiliate_id", "affiliates"),
}


async def sync_partners(ctx: StepContext, entity: str, counts: Counts) -> None:
    topic, id_field, method = PARTNERS[entity]
    known = await ctx.cursors.entity(entity)
    source: AsyncIterator[list[Any]] = getattr(ctx.connector, method)()
    async for batch in source:
        staged: list[StagedRow] = []
        rejected = [r for r in batch if isinstance(r, Rejected)]
        for record in batch:
            if isinstance(record, Rejected):
                continue
            counts.fetched += 1
            key = getattr(record, id_field)
            digest = fingerprint([record.model_dump_json()])
            if key in known and known[key][0] == digest:
                counts.unchanged += 1
                continue
            previous = known[key][0] if key in known else None
            await _publish(ctx, topic, ctx.customer_key(key), record,
                           event_id(entity, f"{ctx.connector_id}|{key}", previous, digest))
            staged.append((entity, key, digest, None, None, False))
            counts.published += 1
        await ctx.cursors.stage(staged)
        await _reject(ctx, rejected, counts)
        await ctx.progress(counts)


async def _publish(ctx: StepContext, topic: str, key: str, payload: Payload,
                   eid: uuid.UUID) -> None:
    await ctx.publisher.send(topic, key, encoding.fact(payload, eid, ctx.job_id))


async def _reject(ctx: StepContext, rejected: list[Rejected], counts: Counts) -> None:
    if rejected:
        counts.quarantined += len(rejected)
        await ctx.quarantine(rejected)


async def sync_stats(ctx: StepContext, counts: Counts) -> None:
    if ctx.full_read or not getattr(ctx.connector, "cheap_probe", False):
        to_read = [(ctx.date_from, ctx.date_to)]
    else:
        to_read = await _probed_ranges(ctx)
    for date_from, date_to in to_read:
        await _read_days(ctx, date_from, date_to, counts)


async def _probed_ranges(ctx: StepContext) -> list[tuple[dt.date, dt.date]]:
    """Days whose totals per advertiser and currency differ from the last read."""
    probe = await ctx.connector.day_totals(ctx.date_from, ctx.date_to)
    all_days = windows.days(ctx.date_from, ctx.date_to)
    stored = await ctx.cursors.day_digests(all_days)
    changed = [d for d in all_days
               if stored.get(d) != day_digest(t.as_tuple() for t in probe.get(d, []))]
    return windows.ranges(changed)


async def _read_days(ctx: StepContext, date_from: dt.date, date_to: dt.date,
                     counts: Counts) -> None:
    done: set[dt.date] = set()
    start = date_from
    for attempt in range(MAX_RESTARTS + 1):
        try:
            async for day, facts in ctx.connector.stat_days(start, date_to):
                await _stat_day(ctx, day, facts, counts)
                done.add(day)
                start = day + dt.timedelta(days=1)
            break
        except DataChanged:
            if attempt == MAX_RESTARTS:
                raise
            # the days already finished are consistent; read the rest again
    known = await ctx.cursors.known_days(date_from, date_to)  # not one query per empty day
    for day in windows.days(date_from, date_to):
        if day in done:
            continue
        if day in known:  # no rows at all that day: whatever we had is gone
            await _stat_day(ctx, day, [], counts)
        else:  # empty before and now: only its (empty) totals digest
            ctx.cursors.stage_day_digest(day, day_digest(iter(())))


async def _stat_day(ctx: StepContext, day: dt.date, facts: list[StatFact | Rejected],
                    counts: Counts) -> None:
    known = await ctx.cursors.stat_day(day)
    published_before = counts.published
    current: dict[str, bytes] = {}
    rejected = [f for f in facts if isinstance(f, Rejected)]
    good: dict[str, StatFact] = {}
    for f in facts:
        if isinstance(f, StatFact):
            good[f.key(ctx.connector_id)] = f
    connector, job, now = ctx.connector_id, str(ctx.job_id), encoding.now()
    send = ctx.publisher.send
    for key, fact in good.items():
        counts.fetched += 1
        digest = current[key] = fact.digest()
        previous = known.pop(key, None)
        if previous == digest and not ctx.republish:
            counts.unchanged += 1
            continue
        # a republished row has its own event id (deterministic: a second republish repeats it)
        eid = event_id_text("stat-again" if previous == digest else "stat", key, previous, digest)
        await send(topics.ADTRACKER_STATS, f"{connector}:{fact.advertiser_id}",
                   encoding.stat_row(connector, key, fact, eid, job, now))
        counts.published += 1
    for r in rejected:  # unreadable today is not gone: keep what we had
        if r.natural_key in known:
            current[r.natural_key] = known.pop(r.natural_key)
    for key, previous in known.items():
        eid = event_id("stat", key, previous, None)
        advertiser = key.split("|")[2]
        await ctx.publisher.send(topics.ADTRACKER_STATS, ctx.customer_key(advertiser),
                                 encoding.removed_stat_row(key, eid, ctx.job_id))
        counts.published += 1
    if counts.published > published_before:  # the day's fingerprints changed
        await ctx.cursors.stage_stat_day(day, current)
    ctx.cursors.stage_day_digest(day, None if rejected else day_digest(
        t.as_tuple() for t in totals_of(list(good.values()))))
    await _reject(ctx, rejected, counts)
    await ctx.progress(counts)


async def sync_conversions(ctx: StepContext, counts: Counts) -> None:
    """Pending conversions, and what became of those we saw pending before."""
    known = await ctx.cursors.entity("conversion")
    seen: set[str] = set()
    async for batch in ctx.connector.conversions(ctx.date_from, ctx.date_to,
                                                 [ConversionStatus.PENDING]):
        await _conversions(ctx, batch, known, seen, counts, only_known=False)
    open_states = {ConversionStatus.PENDING.value, ConversionStatus.APPROVED.value}
    tracked = {k: v for k, v in known.items() if v[1] in open_states and k not in seen}
    if tracked:
        earliest = min((v[2] for v in tracked.values() if v[2]), default=ctx.date_from)
        async for batch in ctx.connector.conversions(
                min(earliest, ctx.date_from), ctx.date_to,
                [ConversionStatus.APPROVED, ConversionStatus.REJECTED]):
            await _conversions(ctx, batch, tracked, seen, counts, only_known=True)


async def _conversions(ctx: StepContext, batch: list[ConversionSynced | Rejected],
                       known: dict[str, Any], seen: set[str], counts: Counts,
                       only_known: bool) -> None:
    staged: list[StagedRow] = []
    rejected = [r for r in batch if isinstance(r, Rejected)]
    for c in batch:
        if isinstance(c, Rejected) or (only_known and c.conversion_id not in known):
            continue
        counts.fetched += 1
        seen.add(c.conversion_id)
        digest = fingerprint([c.model_dump_json()])
        if c.conversion_id in known and known[c.conversion_id][0] == digest:
            counts.unchanged += 1
            continue
        previous = known[c.conversion_id][0] if c.conversion_id in known else None
        await _publish(ctx, topics.ADTRACKER_CONVERSIONS, ctx.customer_key(c.advertiser_id), c,
                       event_id("conversion", f"{ctx.connector_id}|{c.conversion_id}", previous,
                                digest))
        staged.append(("conversion", c.conversion_id, digest, c.converted_at.date(),
                       c.status.value, False))
        counts.published += 1
    await ctx.cursors.stage(staged)
    await _reject(ctx, rejected, counts)
    await ctx.progress(counts)


def raw_json(raw: dict[str, Any]) -> str:
    return json.dumps(raw, default=str)
