"""Generator pages are reused only while the database wrote nothing since."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from affbill_billing.adapters.page_cache import PageCache
from affbill_runtime.runtime import Runtime

pytestmark = pytest.mark.integration


async def test_a_page_is_reused_until_something_is_written(billing: Runtime) -> None:
    built: list[int] = []

    async def build() -> bytes:
        built.append(1)
        return f"page {len(built)}".encode()

    pages = PageCache(billing.engine, max_age_s=60)
    assert await pages.page("p1", build) == b"page 1"
    assert await pages.page("p1", build) == b"page 1"  # nothing written: reused
    assert await pages.page("p2", build) == b"page 2"  # another query: its own page
    async with billing.engine.begin() as conn:
        await conn.execute(text("insert into rejected_messages (topic, reason, raw) "
                                "values ('t', 'a write', '\\x00')"))
    assert await pages.page("p1", build) == b"page 3"  # a write since: built again
    assert len(built) == 3


async def test_reuse_is_off_with_zero_and_bounded_by_age(billing: Runtime) -> None:
    built: list[int] = []

    async def build() -> bytes:
        built.append(1)
        return b"x"

    off = PageCache(billing.engine, max_age_s=0)
    await off.page("k", build)
    await off.page("k", build)
    expired = PageCache(billing.engine, max_age_s=1e-9)
    await expired.page("k", build)
    await expired.page("k", build)
    assert len(built) == 4
