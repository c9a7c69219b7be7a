"""The SQL rules against their Python twins: random sequences of billing's life on the real
PostgreSQL, compared after every step with the oracle (oracle_world.World).

Steps (oracle_steps): new stat rows, restatements and removals through the stat stream in
chunks (now and then a message that is no stat row), redeliveries of a stat batch, partner
facts (and their redelivery), profile edits (threshold, drafts by default, line grouping),
runs over all, some or single items of customers (some with a last day, some redelivered),
cart into generator, discards, Create (one draft, or bulk with a redelivered command) and
cancellations. After each (oracle_world.compare): every billable item — amounts, state,
draft, the invoice an adjustment follows, and that it is the same row as before — every
invoice and draft (totals, type, status; issued: net = sum of the rounded lines, each item
on at most one issued invoice, numbers gapless), the generator totals and the stat rows
equal what the twins in affbill_billing.domain say.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import asyncpg
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from affbill_runtime.runtime import Runtime
from tests.integration.billing.oracle_driver import Steps
from tests.integration.billing.oracle_steps import first_partners, step_strategy
from tests.integration.billing.oracle_world import TODAY, World, compare

pytestmark = pytest.mark.integration


async def _reset(conn: Any) -> None:
    """Every example starts from an empty billing schema (migrated once for the test)."""
    tables = [r[0] for r in await conn.fetch(
        "select tablename from pg_tables where schemaname = current_schema() "
        "and tablename not in ('alembic_version', 'number_series', 'audit_log')")]  # append-only
    await conn.execute(f"truncate {', '.join(tables)}")
    await conn.execute("update number_series set last_counter = null")


async def _rates(conn: Any) -> None:
    """Documents in JPY may charge German VAT, which they state in EUR too: the ECB's JPY
    rate for the days runs (TODAY) and Create or cancellations (the real today) use."""
    await conn.executemany(
        "insert into exchange_rates (source, base, currency, rate_date, rate) "
        "values ('ecb', 'EUR', 'JPY', $1, 162.45)", [(TODAY,), (dt.date.today(),)])


# CI runs 30 examples (about a minute); AFFBILL_ORACLE_EXAMPLES=300 searches deeper (~15 min).
EXAMPLES = int(os.environ.get("AFFBILL_ORACLE_EXAMPLES", "30"))


@pytest.mark.timeout(600 + 10 * EXAMPLES)  # a failure shrinks for up to 5 minutes
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
async def test_the_database_does_what_the_twins_say(billing: Runtime, database_url: str,
                                                   data: st.DataObject) -> None:
    conn = await asyncpg.connect(database_url, server_settings={"search_path": billing.schema})
    try:
        await _reset(conn)
        await _rates(conn)
        steps = Steps(billing, conn, World(billing.settings.domestic_vat_rate))
        for fact in data.draw(first_partners(), label="partners"):
            await steps.apply(fact)
        for n in range(data.draw(st.integers(4, 20), label="steps")):
            step = data.draw(step_strategy(len(steps.batches), len(steps.world.items.items),
                                           len(steps.drafted), len(steps.made)),
                             label=f"step {n}")
            event(type(step).__name__)
            await steps.apply(step)
            await compare(conn, steps.world)
            items = steps.world.items.items.values()
            if any(i.adjusts_invoice_id is not None for i in items):
                event("adjustment of an invoiced day")
            if any(d.document_type == "381" and d.cancels is None
                   for d in steps.world.documents.values()):
                event("credit note")
    finally:
        await conn.close()
