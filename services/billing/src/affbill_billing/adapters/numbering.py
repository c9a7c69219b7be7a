"""Taking numbers from a series: its counter row, locked until the issuing transaction ends."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from affbill_billing.domain.numbering import NumberSeries

TAKE_NUMBERS = text("""
update number_series set last_counter = greatest(coalesce(last_counter, start - 1), start - 1) + :n
where series = :series
returning prefix, suffix, padding, start, cancellation_suffix, last_counter
""")


async def take_numbers(session: AsyncSession, series: str, n: int) -> tuple[NumberSeries, int]:
    """Reserve n consecutive counters; returns the series and the first of them. Gapless:
    the row stays locked until commit, and a rollback returns the counters."""
    row = (await session.execute(TAKE_NUMBERS, {"series": series, "n": n})).first()
    if row is None:
        raise LookupError(f"number series {series!r} does not exist")
    return (NumberSeries(row.prefix, row.suffix, row.padding, row.start, row.cancellation_suffix),
            row.last_counter - n + 1)
