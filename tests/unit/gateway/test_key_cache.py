"""Who a key belongs to is looked up once per key at a time, and trusted for key_cache_s."""

from __future__ import annotations

import asyncio
import uuid
from types import SimpleNamespace
from typing import Any, Self

from affbill_gateway.domain.keys import Role
from affbill_gateway.service_layer.keys import Keys

ROW = SimpleNamespace(key_id=uuid.uuid4(), name="anna@network.example", role="accountant")


class FakeEngine:
    """Counts the key lookups; each takes a moment, as a database round trip does."""

    def __init__(self, row: Any) -> None:
        self.row, self.lookups = row, 0

    def connect(self) -> FakeEngine:
        return self

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_: object) -> None:
        return None

    async def execute(self, _: object) -> SimpleNamespace:
        self.lookups += 1
        await asyncio.sleep(0.01)
        return SimpleNamespace(first=lambda: self.row)


async def test_concurrent_requests_with_one_key_share_one_lookup() -> None:
    engine = FakeEngine(ROW)
    keys = Keys(engine, cache_s=60)  # type: ignore[arg-type]
    found = await asyncio.gather(*(keys.authenticate("affb_k") for _ in range(20)))
    assert {(p.name, p.role) for p in found} == {("anna@network.example", Role.ACCOUNTANT)}
    assert engine.lookups == 1
    await keys.authenticate("affb_k")
    assert engine.lookups == 1  # trusted from the cache now


async def test_unknown_keys_are_looked_up_each_time_and_never_kept() -> None:
    engine = FakeEngine(None)
    keys = Keys(engine, cache_s=60)  # type: ignore[arg-type]
    assert await keys.authenticate("affb_guess") is None
    assert await keys.authenticate("affb_guess") is None
    assert engine.lookups == 2
    assert await keys.authenticate("") is None and engine.lookups == 2
