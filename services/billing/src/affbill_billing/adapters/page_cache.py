"""Generator pages reused while the database has written nothing since.

The generator list is read far more often than billing's data changes, and a page costs
milliseconds of aggregation. A page is kept with the WAL insert position read before it
was built; a request that finds the same position gets the kept page, because nothing
was committed in between. Any write anywhere in the database moves the position, and the
page is built again, so a read after a write never sees the page from before it.
Entries also expire after ``max_age_s``: that bounds the one race, a commit whose WAL
record was written just before the position was read but not yet visible to the page's
snapshot.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Hashable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

POSITION = text("select pg_current_wal_insert_lsn()::text")


class PageCache:
    def __init__(self, engine: AsyncEngine, max_age_s: float, size: int = 256) -> None:
        self._engine = engine
        self._max_age_s = max_age_s
        self._size = size
        self._pages: dict[Hashable, tuple[str, float, bytes]] = {}

    async def page(self, key: Hashable, build: Callable[[], Awaitable[bytes]]) -> bytes:
        if self._max_age_s <= 0:
            return await build()
        async with self._engine.connect() as conn:
            position = (await conn.execute(POSITION)).scalar_one()
        now = time.monotonic()
        kept = self._pages.get(key)
        if kept is not None and kept[0] == position and now - kept[1] < self._max_age_s:
            return kept[2]
        body = await build()
        if len(self._pages) >= self._size:
            self._pages.clear()  # a bounded memory, not an LRU: pages are cheap to rebuild
        self._pages[key] = (position, now, body)
        return body
