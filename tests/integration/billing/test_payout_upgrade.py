"""The upgrade path for payout items: stat rows billing kept before it kept payouts have no
payout items. A republishing sync (`affbill sync republish --from --to`) sends every row
again; billing derives the payout items from them, changes nothing on the advertisers' side
(not even for invoiced days), and applying the rows once more changes nothing at all."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import text

from affbill_billing.service_layer import ingest, runs
from affbill_runtime.runtime import Runtime
from tests.integration.billing.conftest import TODAY, advertiser, command
from tests.integration.billing.test_payouts import stat

pytestmark = pytest.mark.integration


async def state(billing: Runtime, c: str) -> list[tuple[str, str, Decimal, str, bool]]:
    async with billing.engine.connect() as conn:
        rows = await conn.execute(text(
            "select customer_id, offer_id, revenue, state, adjusts_invoice_id is not null "
            "from billable_items where customer_id like :c order by 1, 2, 3, 4"),
            {"c": f"{c}:%"})
        return [(r[0], r[1], r[2].normalize(), r[3], r[4]) for r in rows]


async def before_payouts(billing: Runtime, c: str) -> None:
    """What a version before payout items left: the advertisers' side only."""
    async with billing.engine.begin() as conn:
        for table in ("billable_items", "stat_rows"):
            await conn.execute(text(f"delete from {table} where customer_id like :c"),
                               {"c": f"{c}:affiliate:%"})
        await conn.execute(text("delete from generator_totals where customer_id like :c"),
                           {"c": f"{c}:affiliate:%"})


async def test_republished_rows_derive_payout_items_once(billing: Runtime) -> None:
    c = f"ho-{uuid.uuid4().hex[:6]}"
    def rows() -> list:  # each sync's messages: the same rows, new event ids
        return [stat(c, "1004", "100.00000", "80.00000"),
                stat(c, "1004", "50.00000", "40.00000", offer="21"),
                stat(c, "1005", "10.00000", "7.50000")]

    await ingest.apply_stat_rows(billing.uow(), rows())
    fresh = await state(billing, c)  # what billing keeps today
    await before_payouts(billing, c)
    buyer = await advertiser(billing, c, country="DE", vat=None)
    await runs.process_selected(billing.uow, command(buyer), billing.settings, TODAY)
    billed = await state(billing, c)
    assert {s for _, _, _, s, _ in billed} == {"invoiced"}
    assert all(":advertiser:" in customer for customer, *_ in billed)

    await ingest.apply_stat_rows(billing.uow(), rows())  # the republishing sync's rows
    derived = await state(billing, c)
    payouts = [r for r in derived if ":affiliate:" in r[0]]
    assert payouts == [r for r in fresh if ":affiliate:" in r[0]]
    assert [p[2] for p in payouts] == [Decimal(80), Decimal(40), Decimal("7.5")]
    assert [r for r in derived if ":advertiser:" in r[0]] == billed  # no adjustment items
    await ingest.apply_stat_rows(billing.uow(), rows())  # republished twice: no change
    assert await state(billing, c) == derived
