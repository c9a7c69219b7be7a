"""The documents service's runtime on a fresh schema, with its real render worker pool."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from affbill_contracts import decode
from affbill_documents.adapters.pool import RenderPool
from affbill_documents.bootstrap import bootstrap
from affbill_documents.config import Settings
from affbill_documents.entrypoints import http
from affbill_runtime.migrations import upgrade
from affbill_runtime.runtime import Runtime
from affbill_runtime.service import service_app
from tests.events import INTERNAL_SECRET
from tests.signing import SignedAsGateway


@pytest.fixture(scope="session")
async def render_pool() -> AsyncIterator[RenderPool]:
    pool = RenderPool(workers=2)
    await pool.start()
    yield pool
    await asyncio.to_thread(pool.close)


@pytest.fixture
async def documents(database_url: str, kafka_bootstrap: str, render_pool: RenderPool
                    ) -> AsyncIterator[Runtime]:
    schema = f"documents_{uuid.uuid4().hex[:8]}"
    await asyncio.to_thread(upgrade, "affbill_documents", database_url, schema)
    runtime = bootstrap(Settings(service_name=schema, database_url=database_url,
                                 kafka_bootstrap_servers=kafka_bootstrap,
                                 consumer_group=f"test-{schema}",
                                 internal_secret=INTERNAL_SECRET), renderer=render_pool)
    yield runtime
    await runtime.engine.dispose()


async def outbox(runtime: Runtime, topic: str) -> list[Any]:
    async with runtime.engine.connect() as conn:
        values = (await conn.execute(text("select value from outbox where topic = :t order by id"),
                                     {"t": topic})).scalars().all()
    return [decode(v) for v in values]


async def stored(runtime: Runtime) -> dict[uuid.UUID, dict[str, Any]]:
    async with runtime.engine.connect() as conn:
        rows = (await conn.execute(text("select * from documents"))).mappings().all()
    return {r["invoice_id"]: dict(r) for r in rows}


@pytest.fixture
async def api(documents: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """The documents service's HTTP API in-process, called as the gateway calls it (signed)."""
    app = service_app(documents, title="affbill documents",
                      http_routers=[http.build_router(documents)])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 auth=SignedAsGateway(documents.settings.signing_key),
                                 base_url="http://documents") as client:
        yield client
