"""From the simulator through sync and Kafka to an issued invoice, exact to the cent."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import text

from affbill_billing.domain.money import round_money
from affbill_billing.entrypoints.messaging import consumer_groups
from affbill_billing.service_layer import runs
from affbill_contracts import Envelope, ProcessSelected, topics
from affbill_runtime.messaging import start_groups_at_end
from affbill_runtime.runtime import Runtime
from tests.integration.billing.conftest import outbox
from tests.integration.conftest import WINDOW, Simulator, SyncWorld

pytestmark = pytest.mark.integration


async def test_invoice_total_matches_the_simulators_revenue(
        world: SyncWorld, sim: Simulator, billing: Runtime, kafka_bootstrap: str) -> None:
    await start_groups_at_end(kafka_bootstrap, consumer_groups(billing.settings.group))
    await billing.start()
    try:
        run = await world.sync("standard")
        assert run["status"] == "succeeded"
        connector = world.connector()
        customer = f"{connector}:advertiser:2"
        truth = {t["currency"]: Decimal(t["revenue"]) for t in await sim.control(
            "GET", "/truth", params={"advertiser_id": "2", "date_from": str(WINDOW[0]),
                                     "date_to": str(WINDOW[1])})}
        expected_items = run["counts"]["stat"]["published"]
        async with billing.engine.connect() as conn:
            for _ in range(120):  # the billing consumers catch up
                applied = await conn.scalar(text(
                    "select count(distinct stat_key) from stat_rows where stat_key like :c"),
                    {"c": f"{connector}|%"})
                profile = await conn.scalar(text(
                    "select count(*) from billing_profiles where customer_id = :c"),
                    {"c": customer})
                if applied == expected_items and profile:
                    break
                await asyncio.sleep(0.25)
        assert applied == expected_items
        async with billing.engine.begin() as conn:  # one line per period: one rounding
            await conn.execute(text("update billing_profiles set line_grouping = 'period', "
                                    "tax_treatment = 'export' where customer_id = :c"),
                               {"c": customer})
        command = Envelope.wrap(ProcessSelected(run_id=uuid.uuid4(), customer_ids=[customer],
                                                requested_by="e2e"))
        counts = await runs.process_selected(billing.uow, command, billing.settings)
    finally:
        await billing.stop()
    assert counts["documents_created"] == len(truth)
    issued = await outbox(billing, topics.BILLING_INVOICES)
    documents = {d.currency: d for d in (e.payload.document for e in issued)
                 if d.customer_id == customer}
    for currency, revenue in truth.items():
        assert documents[currency].totals.line_total == round_money(revenue, currency)
        assert documents[currency].totals.amount_due == round_money(revenue, currency)
