"""Reading numbered pages ahead of the consumer, in order, with bounded concurrency."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def pages_in_order(fetch: Callable[[int], Awaitable[T]], first: int, last: int,
                         ahead: int) -> AsyncIterator[T]:
    """Yield fetch(first)..fetch(last) in order, keeping up to `ahead` requests in flight."""
    pending: dict[int, asyncio.Task[T]] = {}
    next_page = first
    try:
        for page in range(first, last + 1):
            while next_page <= last and len(pending) < ahead:
                pending[next_page] = asyncio.ensure_future(fetch(next_page))
                next_page += 1
            yield await pending.pop(page)
    finally:
        for task in pending.values():
            task.cancel()
        await asyncio.gather(*pending.values(), return_exceptions=True)


async def days_in_order(rows: AsyncIterator[list[tuple[object, T]]]
                        ) -> AsyncIterator[tuple[object, list[T]]]:
    """Group (day, row) pairs that arrive sorted by day into complete days."""
    current: object = None
    buffer: list[T] = []
    async for batch in rows:
        for day, row in batch:
            if day != current and buffer:
                yield current, buffer
                buffer = []
            current = day
            buffer.append(row)
    if buffer:
        yield current, buffer
