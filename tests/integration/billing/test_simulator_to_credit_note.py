"""From the simulator through sync and Kafka to an affiliate's self-billed credit note:
payouts per affiliate match the simulator's payout truth to the cent."""

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


async def test_credit_notes_match_the_simulators_payouts(
        world: SyncWorld, sim: Simulator, billing: Runtime, kafka_bootstrap: str) -> None:
    await start_groups_at_end(kafka_bootstrap, consumer_groups(billing.settings.group))
    await billing.start()
    try:
        run = await world.sync("standard")
        assert run["status"] == "succeeded"
        connector = world.connector()
        truth = [t for t in await sim.control("GET", "/payout-truth", params={
            "date_from": str(WINDOW[0]), "date_to": str(WINDOW[1])}) if Decimal(t["payout"])]
        assert truth
        affiliate = truth[0]["affiliate_id"]
        customer = f"{connector}:affiliate:{affiliate}"
        expected = {t["currency"]: Decimal(t["payout"]) for t in truth
                    if t["affiliate_id"] == affiliate}
        published = run["counts"]["stat"]["published"]
        async with billing.engine.connect() as conn:
            for _ in range(120):  # the billing consumers catch up
                applied = await conn.scalar(text(
                    "select count(distinct stat_key) from stat_rows where stat_key like :c"),
                    {"c": f"{connector}|%"})
                profile = await conn.scalar(text(
                    "select count(*) from billing_profiles where customer_id = :c"),
                    {"c": customer})
                if applied == published and profile:
                    break
                await asyncio.sleep(0.25)
            assert applied == published
            open_payouts = dict((await conn.execute(text(
                "select currency, sum(revenue) from billable_items where customer_id = :c "
                "and state = 'open' group by currency"), {"c": customer})).all())
        assert open_payouts == expected  # to the last of the adtracker's 5 decimals
        async with billing.engine.begin() as conn:  # one line per period: one rounding
            await conn.execute(text("update billing_profiles set line_grouping = 'period', "
                                    "tax_status = 'non_eu' where customer_id = :c"),
                               {"c": customer})
        command = Envelope.wrap(ProcessSelected(run_id=uuid.uuid4(), customer_ids=[customer],
                                                requested_by="e2e"))
        counts = await runs.process_selected(billing.uow, command, billing.settings)
    finally:
        await billing.stop()
    assert counts["documents_created"] == len(expected)
    issued = await outbox(billing, topics.BILLING_INVOICES)
    documents = {d.currency: d for d in (e.payload.document for e in issued)
                 if d.customer_id == customer}
    for currency, payout in expected.items():
        assert documents[currency].document_type.value == "389"
        assert documents[currency].totals.amount_due == round_money(payout, currency)
