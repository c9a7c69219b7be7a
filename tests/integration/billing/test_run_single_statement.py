"""The run's single-statement path: it bills only items exactly as they were read.

A customer is billed in one statement when its open items, read unlocked, make one
document; the statement invoices them and keeps its writes only if they still carry the
fingerprint read. A restatement or an item taken by a draft in between fails the
statement (nothing written) and the run bills the customer on the locking path; an item
another transaction holds is waited for; an item that appeared after the read is not
invoiced and stays open, one committed before it fails it too.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import text

from affbill_billing.adapters import billable_items, profiles_repo
from affbill_billing.adapters.sql import load
from affbill_billing.domain.fingerprint import fingerprint
from affbill_billing.domain.grouping import Item
from affbill_billing.domain.runs import RunContext
from affbill_billing.service_layer import ingest, runs
from affbill_billing.service_layer.run_billing import bill_as_read
from affbill_billing.service_layer.run_work import RunWork
from affbill_contracts import ProcessSelected, topics
from affbill_runtime.runtime import Runtime
from tests.integration.billing.conftest import (
    DAY,
    TODAY,
    command,
    customer_with_items,
    outbox,
    row,
)

pytestmark = pytest.mark.integration

REVENUES = ["37.50000", "0.00000", "-12.34567", "0.00001", "123456789.12345", "1E-5", "5"]


async def test_python_and_postgres_compute_the_same_fingerprint(billing: Runtime) -> None:
    async with billing.uow() as uow:
        conn = await uow.autocommit_connection()
        await conn.execute("create temporary table fp (item_id uuid, units int, revenue numeric)")
        rows = [(uuid.uuid4(), n - 2, Decimal(r)) for n, r in enumerate(REVENUES)]
        await conn.executemany("insert into fp values ($1, $2, $3)", rows)
        in_postgres = await conn.fetchval(f"select {load('items_fingerprint.sql')} from fp")
        read_back = [Item(r[0], "o", "o", DAY, "EUR", r[1], r[2])
                     for r in await conn.fetch("select item_id, units, revenue from fp")]
        assert fingerprint(read_back) == in_postgres
        changed = [*read_back[:-1], Item(read_back[-1].item_id, "o", "o", DAY, "EUR",
                                          read_back[-1].units, read_back[-1].revenue + 1)]
        assert fingerprint(changed) != in_postgres


async def _read(billing: Runtime, customer: str) -> list[Item]:
    async with billing.uow() as uow:
        conn = await uow.autocommit_connection()
        return (await billable_items.open_items(conn, [customer], _context(billing, customer))
                ).get(customer, [])


def _context(billing: Runtime, customer: str) -> RunContext:
    run = ProcessSelected(run_id=uuid.uuid4(), customer_ids=[customer], requested_by="anna")
    return runs.context_of(run, run.run_id, billing.settings, TODAY)


async def _bill_unchanged(billing: Runtime, customer: str, items: list[Item]) -> int | None:
    work = RunWork(_context(billing, customer), billing.uow, billing.settings)
    async with billing.uow() as uow:
        profiles = await profiles_repo.profiles(uow.session, [customer])
    async with billing.uow() as uow:
        conn = await uow.autocommit_connection()
        return await bill_as_read(conn, work, customer, items, profiles[customer])


async def _invoices(billing: Runtime, customer: str) -> int:
    async with billing.engine.connect() as conn:
        return await conn.scalar(text("select count(*) from invoices where customer_id = :c"),
                                 {"c": customer})


async def test_items_as_read_are_billed_in_one_statement(billing: Runtime) -> None:
    _, customer = await customer_with_items(billing)
    assert await _bill_unchanged(billing, customer, await _read(billing, customer)) == 1
    assert await _invoices(billing, customer) == 1
    assert await _read(billing, customer) == []


async def test_a_restatement_after_the_read_writes_nothing_and_the_run_bills_it(
        billing: Runtime) -> None:
    c, customer = await customer_with_items(billing)
    stale = await _read(billing, customer)
    await ingest.apply_stat_rows(billing.uow(), [row(c, "1004", "40.00000", 4)])  # restated

    assert await _bill_unchanged(billing, customer, stale) is None
    assert await _invoices(billing, customer) == 0

    await runs.process_selected(billing.uow, command(customer), billing.settings, TODAY)
    [issued] = [e.payload for e in await outbox(billing, topics.BILLING_INVOICES)]
    assert issued.document.totals.line_total == Decimal("75.00")  # 40 + 25 + 10.00001


async def test_a_new_item_after_the_read_writes_nothing(billing: Runtime) -> None:
    c, customer = await customer_with_items(billing)
    stale = await _read(billing, customer)
    await ingest.apply_stat_rows(billing.uow(), [
        row(c, "1004", "5.00000", 1, day=DAY + dt.timedelta(days=3))])
    assert await _bill_unchanged(billing, customer, stale) is None
    assert await _invoices(billing, customer) == 0


async def test_an_item_reserved_by_a_draft_after_the_read_writes_nothing(
        billing: Runtime) -> None:
    _, customer = await customer_with_items(billing)
    stale = await _read(billing, customer)
    async with billing.engine.begin() as conn:
        await conn.execute(text("update billable_items set draft_id = :d where item_id = :i"),
                           {"d": uuid.uuid4(), "i": stale[0].item_id})
    assert await _bill_unchanged(billing, customer, stale) is None
    assert await _invoices(billing, customer) == 0


async def test_an_item_changed_while_the_statement_waits_for_it_writes_nothing(
        billing: Runtime) -> None:
    _, customer = await customer_with_items(billing)
    items = await _read(billing, customer)
    async with billing.uow() as holder:  # another transaction holds an item, then restates it
        conn = await holder.driver_connection()
        await conn.execute("update billable_items set revenue = revenue + 1 where item_id = $1",
                           items[0].item_id)
        waiting = asyncio.create_task(_bill_unchanged(billing, customer, items))
        await asyncio.sleep(0.3)
        assert not waiting.done()  # the statement waits for the item's lock
        await holder.commit()
    assert await asyncio.wait_for(waiting, 10) is None
    assert await _invoices(billing, customer) == 0
    assert (await _read(billing, customer))[0].revenue == items[0].revenue + 1


async def test_an_item_locked_but_unchanged_is_billed_once_the_lock_is_gone(
        billing: Runtime) -> None:
    _, customer = await customer_with_items(billing)
    items = await _read(billing, customer)
    async with billing.uow() as holder:
        conn = await holder.driver_connection()
        await conn.execute("select 1 from billable_items where item_id = $1 for update",
                           items[0].item_id)
        waiting = asyncio.create_task(_bill_unchanged(billing, customer, items))
        await asyncio.sleep(0.3)
        assert not waiting.done()
    assert await asyncio.wait_for(waiting, 10) == 1
    assert await _invoices(billing, customer) == 1
