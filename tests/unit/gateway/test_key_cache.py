"""Who a key belongs to is looked up once per key at a time, and trusted for key_cache_s;
what cannot be a key is never looked up, and an unknown key is not looked up again for
unknown_key_cache_s, in bounded memory."""

from __future__ import annotations

import asyncio
import uuid
from types import SimpleNamespace
from typing import Any, Self

from affbill_gateway.domain.keys import Role
from affbill_gateway.service_layer.keys import CACHED_KEYS, Keys

ROW = SimpleNamespace(key_id=uuid.uuid4(), name="anna@network.example", role="accountant")
KEY = "affb_" + "k" * 43
GUESS = "affb_" + "g" * 43


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
    found = await asyncio.gather(*(keys.authenticate(KEY) for _ in range(20)))
    assert {(p.name, p.role) for p in found} == {("anna@network.example", Role.ACCOUNTANT)}
    assert engine.lookups == 1
    await keys.authenticate(KEY)
    assert engine.lookups == 1  # trusted from the cache now
    assert keys.recently_valid(KEY) and not keys.recently_valid(GUESS)


async def test_what_cannot_be_a_key_is_never_looked_up() -> None:
    engine = FakeEngine(ROW)
    keys = Keys(engine, cache_s=60)  # type: ignore[arg-type]
    for junk in ("", "affb_short", "affb_" + "x" * 300, "affb_ with spaces and more text here",
                 "Łukasz" * 10, "affb_" + "\x00" * 40):
        assert await keys.authenticate(junk) is None
    assert engine.lookups == 0


async def test_an_unknown_key_is_looked_up_once_while_it_is_known_unknown() -> None:
    engine = FakeEngine(None)
    keys = Keys(engine, cache_s=60, unknown_key_cache_s=60)  # type: ignore[arg-type]
    assert await keys.authenticate(GUESS) is None
    assert await keys.authenticate(GUESS) is None
    assert engine.lookups == 1 and not keys.recently_valid(GUESS)


async def test_unknown_keys_are_looked_up_each_time_without_a_negative_cache() -> None:
    engine = FakeEngine(None)
    keys = Keys(engine, cache_s=60)  # type: ignore[arg-type]
    assert await keys.authenticate(GUESS) is None
    assert await keys.authenticate(GUESS) is None
    assert engine.lookups == 2


async def test_the_negative_cache_is_bounded() -> None:
    engine = FakeEngine(None)
    keys = Keys(engine, unknown_key_cache_s=60)  # type: ignore[arg-type]
    for n in range(CACHED_KEYS + 50):
        keys._unknown.add(f"digest-{n}")
    assert len(keys._unknown) == CACHED_KEYS
