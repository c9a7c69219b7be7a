"""The rates sync against the simulator: a day is published once per distinct set of
rates, a correction is published again, and both source formats give the same facts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from affbill_contracts import decode, topics
from affbill_runtime.service import service_app
from affbill_sync.adapters.rates_sources import EcbSource, OpenExchangeRatesSource
from affbill_sync.entrypoints import rates_http
from affbill_sync.service_layer.rates import sync_rates
from tests.integration.conftest import Simulator, SyncWorld
from tests.signing import SignedAsGateway

pytestmark = pytest.mark.integration
TODAY = dt.date.today()


async def published(world: SyncWorld) -> list[Any]:
    async with world.runtime.engine.connect() as conn:
        values = (await conn.execute(text("select value from outbox where topic = :t "
                                          "order by id"), {"t": topics.FX_RATES})).scalars()
        return [decode(v) for v in values]


async def test_rates_are_published_once_and_corrections_again(world: SyncWorld,
                                                              sim: Simulator) -> None:
    ecb = EcbSource(f"{sim.url}/ecb")
    since = TODAY - dt.timedelta(days=30)
    async with httpx.AsyncClient(timeout=30) as client:
        first = await sync_rates(world.runtime.uow, ecb, client, since, TODAY)
        again = await sync_rates(world.runtime.uow, ecb, client, since, TODAY)
        facts = await published(world)
        assert first.days == first.published == len(facts) >= 18  # business days only
        assert again.published == 0  # nothing changed, nothing published
        day = facts[0].payload
        assert day.source == "ecb" and day.base == "EUR" and len(day.rates) == 30
        assert facts[0].type == "fx.rates.published" and facts[0].payload.rates["GBP"] > 0

        await sim.http.post("/control/rates", json={"date": day.rate_date.isoformat(),
                                                    "currency": "GBP", "rate": "0.91234"})
        corrected = await sync_rates(world.runtime.uow, ecb, client, since, TODAY)
        assert corrected.published == 1
        latest = (await published(world))[-1]
        assert latest.payload.rate_date == day.rate_date
        assert latest.payload.rates["GBP"] == Decimal("0.91234")
        assert latest.event_id != facts[0].event_id  # a new change, a new id

        oxr = OpenExchangeRatesSource(f"{sim.url}/oxr", app_id="sim")
        week = await oxr.fetch(client, TODAY - dt.timedelta(days=6), TODAY)
    ecb_days = {f.payload.rate_date: f.payload.rates for f in await published(world)}
    for d in week:  # a weekend day quotes the last published, as openexchangerates does
        assert d.rates["USD"] == ecb_days[max(x for x in ecb_days if x <= d.rate_date)]["USD"]


async def test_on_demand_through_the_http_route(world: SyncWorld, sim: Simulator) -> None:
    world.runtime.state.rates_source = EcbSource(f"{sim.url}/ecb")
    app = service_app(world.runtime, title="sync",
                      http_routers=[rates_http.build_router(world.runtime)])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 auth=SignedAsGateway(world.settings.signing_key),
                                 base_url="http://sync") as api:
        done = await api.post("/rates/sync", json={"date_from": "2026-04-01",
                                                   "date_to": "2026-04-08"})
        assert done.status_code == 200, done.text
        body = done.json()
        # 1–8 April 2026: Good Friday (3rd), the weekend and Easter Monday (6th) publish none
        assert (body["days"], body["published"]) == (4, 4)
        assert (body["first"], body["last"]) == ("2026-04-01", "2026-04-08")
        refused = await api.post("/rates/sync", json={"date_from": "2026-04-08",
                                                      "date_to": "2026-04-01"})
        assert refused.status_code == 422 and "date_from" in refused.text
        world.runtime.state.rates_source = EcbSource(f"{sim.url}/nothing-here")
        failed = await api.post("/rates/sync", json={})
        assert failed.status_code == 502 and "The rates source failed" in failed.text
