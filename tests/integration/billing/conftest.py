"""The billing service's runtime on a fresh schema, and stat-row events to feed it."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import text

from affbill_billing.bootstrap import bootstrap
from affbill_billing.config import Settings
from affbill_billing.entrypoints import http as billing_http
from affbill_billing.service_layer import ingest
from affbill_contracts import AdvertiserSynced, Envelope, ProcessSelected, StatRowSynced, decode
from affbill_contracts.common import PostalAddress
from affbill_runtime.migrations import upgrade
from affbill_runtime.runtime import Runtime
from affbill_runtime.service import service_app
from tests.events import INTERNAL_SECRET
from tests.signing import SignedAsGateway

DAY = dt.date(2026, 10, 1)


@pytest.fixture
async def billing(database_url: str, kafka_bootstrap: str) -> AsyncIterator[Runtime]:
    schema = f"billing_{uuid.uuid4().hex[:8]}"
    await asyncio.to_thread(upgrade, "affbill_billing", database_url, schema)
    runtime = bootstrap(Settings(service_name=schema, database_url=database_url,
                                 kafka_bootstrap_servers=kafka_bootstrap,
                                 consumer_group=f"test-{schema}",
                                 internal_secret=INTERNAL_SECRET,
                                 # no sync runs here: tests of readiness turn it on
                                 runs_need_ready_period=False))
    yield runtime
    await runtime.engine.dispose()


@pytest.fixture
async def api(billing: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """The billing service's HTTP API in-process, as the service serves it, called as the
    gateway calls it (signed; the acting user from each request's X-Affbill-User)."""
    app = service_app(billing, title="affbill billing",
                      http_routers=[billing_http.build_router(billing)])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 auth=SignedAsGateway(billing.settings.signing_key),
                                 base_url="http://billing") as client:
        yield client


def row(connector: str, affiliate: str = "1004", revenue: str = "10.00000", units: int = 2,
        day: dt.date = DAY, removed: bool = False, offer: str = "20") -> Envelope[StatRowSynced]:
    key = f"{connector}|{day}|7|{offer}|{affiliate}|EUR"
    return Envelope.wrap(StatRowSynced(
        connector=connector, stat_key=key, date=day, advertiser_id="7", offer_id=offer,
        offer_name="Shop CPS", affiliate_id=affiliate, currency="EUR", conversions=units,
        revenue=Decimal(revenue), payout=Decimal(0), removed=removed))


async def advertiser(billing: Runtime, c: str, country: str = "FR", vat: str | None = "FR1") -> str:
    await ingest.apply_partners(billing.uow(), [Envelope.wrap(AdvertiserSynced(
        connector=c, advertiser_id="7", company=f"Acme {c}", status="active",
        account_manager_id="3", currency="EUR", vat_id=vat,
        address=PostalAddress(lines=["Rue 1"], city="Paris", country_code=country)))])
    return f"{c}:advertiser:7"


# runs: a customer with three open items, the run command, the events a test left in the outbox
TODAY = dt.date(2026, 11, 2)


async def customer_with_items(billing: Runtime, threshold: str | None = None) -> tuple[str, str]:
    c = f"ho-{uuid.uuid4().hex[:6]}"
    customer = await advertiser(billing, c, country="DE", vat=None)
    await ingest.apply_stat_rows(billing.uow(), [
        row(c, "1004", "37.50000", 3), row(c, "1005", "25.00000", 2),
        row(c, "1004", "10.00001", 1, offer="21", day=DAY + dt.timedelta(days=1))])
    if threshold:
        async with billing.engine.begin() as conn:
            await conn.execute(text("update billing_profiles set threshold_amount = :t "
                                    "where customer_id = :c"),
                               {"t": Decimal(threshold), "c": customer})
    return c, customer


def command(*customers: str, run_id: uuid.UUID | None = None) -> Envelope[ProcessSelected]:
    return Envelope.wrap(ProcessSelected(run_id=run_id or uuid.uuid4(),
                                         customer_ids=list(customers), requested_by="anna"))


async def outbox(billing: Runtime, topic: str) -> list:
    async with billing.engine.connect() as conn:
        values = (await conn.execute(text("select value from outbox where topic = :t order by id"),
                                     {"t": topic})).scalars().all()
    return [decode(v) for v in values]
