"""Adtracker facts → customers, billable items and pending conversions.

Set-based and idempotent: a batch claims its events (stat rows by consumer
position, the rest by event id in the inbox), keeps the latest value per natural
key, and recomputes the open billable item of every
(customer, offer, day, currency) it touched, in one transaction. The open item
always holds what the source says minus what was already invoiced, so a
restatement of an invoiced day becomes a new adjustment item, never an edit.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import orjson

from affbill_billing.adapters import adtracker_facts as facts
from affbill_billing.adapters import fast_stats, periods_repo
from affbill_billing.adapters.fast_stats import StatRecord, StatRecords, record_of
from affbill_billing.domain.customers import customer_id
from affbill_billing.domain.profiles import default_tax_treatment
from affbill_contracts.adtracker import (
    AdvertiserSynced,
    ConversionSynced,
    EmployeeSynced,
    StatRowSynced,
)
from affbill_contracts.envelope import Envelope
from affbill_contracts.sync import SyncSucceeded
from affbill_runtime.db import UnitOfWork
from affbill_runtime.messaging import apply_once
from affbill_runtime.positions import claim_positions
from affbill_runtime.rejected import Rejection, decode_each, keep_rejected

log = logging.getLogger("affbill.billing.ingest")
OnRejected = Callable[[Sequence[Rejection]], Awaitable[None]]




async def apply_stat_rows(uow: UnitOfWork, envelopes: Sequence[Envelope[StatRowSynced]]) -> int:
    """Apply stat-row events once each (inbox by event id); returns how many were new."""

    async def effect(uow: UnitOfWork, fresh: list[Envelope[Any]]) -> None:
        records = [r for e in fresh for r in record_of(e.payload)]
        await facts.apply_stat_records(await uow.driver_connection(), records)

    return await apply_once(uow, "billing.stat_rows", envelopes, effect)


class Delivered(NamedTuple):
    """A message as Kafka delivered it (aiokafka's ConsumerRecord has these fields too)."""

    topic: str
    partition: int
    offset: int
    value: bytes | None


@dataclass(slots=True)
class _Chunk:
    messages: list[Delivered]
    records: list[tuple[Delivered, StatRecords]]  # the valid stat rows (both sides)
    rejections: list[Rejection]  # the messages that are not


STREAM_CONSUMER = "billing.stat_stream"


async def apply_stat_stream(new_uow: Callable[[], UnitOfWork], messages: Sequence[Delivered],
                            chunk_size: int = 2500, on_rejected: OnRejected | None = None) -> int:
    """Apply a batch of adtracker.stats messages exactly once; returns how many were new.

    Exactly once by consumer positions (the last applied offset per partition, kept in
    the effect's transaction), not by one inbox row per event: see affbill_runtime.positions.
    The batch is applied in chunks, each in its own transaction; while one chunk's SQL
    runs in Postgres, the next chunk is parsed here, so both cores stay busy.
    Messages that are not valid stat rows are kept in rejected_messages with the reason,
    in the transaction that moves the position past them, after ``on_rejected`` (the
    consumer's dead-letter topic) took them.
    """
    applying: asyncio.Task[int] | None = None
    applied = 0
    for start in range(0, len(messages), chunk_size):
        chunk = await _parse_chunk(messages[start:start + chunk_size])
        if applying is not None:
            applied += await applying
        applying = asyncio.create_task(_apply_chunk(new_uow(), chunk, on_rejected))
        await asyncio.sleep(0)  # let it send its first statement before parsing on
    if applying is not None:
        applied += await applying
    return applied


async def _parse_chunk(messages: list[Delivered]) -> _Chunk:
    records: list[tuple[Delivered, StatRecords]] = []
    rejections: list[Rejection] = []
    for start in range(0, len(messages), 250):
        if start:
            await asyncio.sleep(0)  # the other chunk's transaction proceeds meanwhile
        good, bad = decode_each(messages[start:start + 250], fast_stats.parse)
        records += good
        rejections += bad
    return _Chunk(messages, records, rejections)


async def _apply_chunk(uow: UnitOfWork, chunk: _Chunk, on_rejected: OnRejected | None) -> int:
    async with uow:
        conn = await uow.driver_connection()
        fresh = {id(m) for m in await claim_positions(conn, STREAM_CONSUMER, chunk.messages)}
        if not fresh:
            return 0
        records: list[StatRecord] = [r for m, pair in chunk.records if id(m) in fresh
                                     for r in pair]
        if records:
            await facts.apply_stat_records(conn, records)
        fresh_positions = {(m.partition, m.offset) for m in chunk.messages if id(m) in fresh}
        rejected = [r for r in chunk.rejections if (r.partition, r.offset) in fresh_positions]
        if rejected:
            if on_rejected is not None:
                await on_rejected(rejected)
            await keep_rejected(conn, rejected)
        await uow.commit()
    return len(fresh)


async def keep_rejected_stats(new_uow: Callable[[], UnitOfWork],
                              rejections: Sequence[Rejection]) -> None:
    """Keep stat rows that could not be applied, moving the position past them in the same
    transaction: exactly once by position holds for dead letters too."""
    async with new_uow() as uow:
        conn = await uow.driver_connection()
        fresh = {(m.partition, m.offset) for m in await claim_positions(conn, STREAM_CONSUMER, [
            Delivered(r.topic, r.partition, r.offset, r.raw) for r in rejections
            if r.partition is not None and r.offset is not None])}
        await keep_rejected(conn, [r for r in rejections if (r.partition, r.offset) in fresh])
        await uow.commit()


async def apply_partners(uow: UnitOfWork, envelopes: Sequence[Envelope[Any]],
                         seller_country: str = "DE",
                         credit_note_drafts_by_default: bool = False) -> int:
    """Keep advertisers, affiliates and employees; a new customer gets a default profile
    (an affiliate's numbers its self-billed credit notes from their own series, and drafts
    them by default when the credit notes' setting says so)."""
    async def effect(uow: UnitOfWork, fresh: list[Envelope[Any]]) -> None:
        conn = await uow.driver_connection()
        customers: dict[str, tuple[Any, ...]] = {}
        employees: dict[tuple[str, str], tuple[Any, ...]] = {}
        for env in fresh:
            p = env.payload
            if isinstance(p, EmployeeSynced):
                employees[(p.connector, p.employee_id)] = (
                    p.connector, p.employee_id, f"{p.first_name} {p.last_name}".strip(), p.email,
                    str(p.status))
                continue
            kind, pid = (("advertiser", p.advertiser_id) if isinstance(p, AdvertiserSynced)
                         else ("affiliate", p.affiliate_id))
            cid = customer_id(p.connector, kind, pid)
            customers[cid] = (cid, p.connector, kind, pid, p.company, str(p.status),
                              p.account_manager_id, p.currency,
                              orjson.dumps(p.address.model_dump()).decode() if p.address else None,
                              p.vat_id, p.email)
        await facts.upsert_customers(conn, customers.values())
        # a new customer gets a billing profile from its core data; later edits are billing's
        await facts.add_default_profiles(conn, [
            (cid, name, address, country, vat_id,
             treatment.value if treatment else None, currency,
             *facts.side_defaults(kind, credit_note_drafts_by_default))
            for cid, _, kind, _, name, _, _, currency, address, vat_id, _ in customers.values()
            for country in [orjson.loads(address).get("country_code") if address else None]
            for treatment in [default_tax_treatment(seller_country, country, vat_id)]])
        await facts.upsert_employees(conn, employees.values())

    return await apply_once(uow, "billing.partners", envelopes, effect)


async def apply_conversions(uow: UnitOfWork, envelopes: Sequence[Envelope[ConversionSynced]]
                            ) -> int:
    async def effect(uow: UnitOfWork, fresh: list[Envelope[Any]]) -> None:
        latest = {(e.payload.connector, e.payload.conversion_id): e.payload for e in fresh}
        conn = await uow.driver_connection()
        await facts.upsert_conversions(conn, [
            (c.connector, c.conversion_id, customer_id(c.connector, "advertiser", c.advertiser_id),
             str(c.status), c.currency, c.revenue, c.converted_at) for c in latest.values()])

    return await apply_once(uow, "billing.conversions", envelopes, effect)





async def apply_sync_outcomes(uow: UnitOfWork, envelopes: Sequence[Envelope[SyncSucceeded]]
                              ) -> int:
    """Keep the syncs that succeeded: period readiness is read from them."""
    async def effect(uow: UnitOfWork, fresh: list[Envelope[Any]]) -> None:
        await periods_repo.record(await uow.driver_connection(), [
            (e.job_id or e.event_id, p.connector, str(p.scope), p.date_from, p.date_to,
             p.started_at, p.finished_at) for e in fresh for p in [e.payload]])

    return await apply_once(uow, "billing.syncs", envelopes, effect)
