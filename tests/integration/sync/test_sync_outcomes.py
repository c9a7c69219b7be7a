"""A sync that succeeds tells billing so (SyncSucceeded on adtracker.syncs, through the
outbox in the transaction that ends its job); a failed one does not."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from affbill_contracts import decode, topics
from tests.integration.conftest import WINDOW, Simulator, SyncWorld

pytestmark = pytest.mark.integration


async def outcomes(world: SyncWorld) -> list[Any]:
    async with world.runtime.engine.connect() as conn:
        values = (await conn.execute(text("select value from outbox where topic = :t "
                                          "order by id"), {"t": topics.ADTRACKER_SYNCS})
                  ).scalars().all()
    return [decode(v) for v in values]


async def test_a_succeeded_sync_is_published_with_its_window_and_start(
        world: SyncWorld, sim: Simulator) -> None:
    good = world.settings.connectors[0]
    world.settings.connectors[0] = good.model_copy(update={"token": "wrong"})
    assert (await world.sync("standard"))["status"] == "failed"
    assert await outcomes(world) == []
    world.settings.connectors[0] = good
    run = await world.sync("partial")
    assert run["status"] in ("succeeded", "succeeded_with_warnings")
    [event] = await outcomes(world)
    fact = event.payload
    assert event.job_id == world.jobs[-1] and event.type == "adtracker.sync.succeeded"
    assert (fact.connector, fact.scope, fact.date_from, fact.date_to) == (
        good.id, "partial", *WINDOW)
    assert (fact.started_at, fact.finished_at) == (run["started_at"], run["finished_at"])
