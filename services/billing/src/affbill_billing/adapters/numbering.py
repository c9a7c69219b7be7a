"""Number series' rows: taking numbers (the counter row, locked until the issuing
transaction ends), and the series as data (list, create, edit)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from affbill_billing.domain.numbering import NumberSeries, Reset

# a yearly series starts again at `start` when a document of a later year takes a number
# (domain/numbering.first_counter is its Python twin)
TAKE_NUMBERS = text("""
update number_series set
    last_counter = case when reset = 'yearly' and counter_year < :year then start - 1 + :n
        else greatest(coalesce(last_counter, start - 1), start - 1) + :n end,
    counter_year = greatest(coalesce(counter_year, :year), :year)
where series = :series
returning prefix, suffix, padding, start, cancellation_suffix, reset, last_counter
""")
COLUMNS = ("prefix", "suffix", "padding", "start", "cancellation_suffix", "reset")


def series_of(row: Any) -> NumberSeries:
    return NumberSeries(row.prefix, row.suffix, row.padding, row.start,
                        row.cancellation_suffix, Reset(row.reset))


async def take_numbers(session: AsyncSession, series: str, n: int, year: int
                       ) -> tuple[NumberSeries, int]:
    """Reserve n consecutive counters for documents dated in `year`; returns the series and
    the first of them. Gapless: the row stays locked until commit, and a rollback returns
    the counters."""
    row = (await session.execute(TAKE_NUMBERS, {"series": series, "n": n, "year": year})
           ).first()
    if row is None:
        raise LookupError(f"number series {series!r} does not exist")
    return series_of(row), row.last_counter - n + 1


async def all_series(conn: AsyncConnection) -> list[dict[str, Any]]:
    rows = await conn.execute(text(
        "select series, prefix, suffix, padding, start, cancellation_suffix, reset, "
        "last_counter, counter_year from number_series order by series"))
    return [dict(r._mapping) for r in rows]


async def locked(conn: AsyncConnection, series: str) -> tuple[NumberSeries, bool] | None:
    """The series and whether it numbered documents, its row locked until commit."""
    row = (await conn.execute(text(
        "select *, last_counter is not null as issued from number_series where series = :s "
        "for update"), {"s": series})).first()
    return None if row is None else (series_of(row), row.issued)


async def insert(conn: AsyncConnection, series: str, values: NumberSeries) -> bool:
    done = await conn.execute(text(
        f"insert into number_series (series, {', '.join(COLUMNS)}) values (:series, "
        f"{', '.join(':' + c for c in COLUMNS)}) on conflict (series) do nothing"),
        {"series": series, **{c: str(getattr(values, c)) if c == "reset"
                              else getattr(values, c) for c in COLUMNS}})
    return done.rowcount == 1


async def update(conn: AsyncConnection, series: str, values: NumberSeries) -> None:
    await conn.execute(text(
        f"update number_series set {', '.join(f'{c} = :{c}' for c in COLUMNS)} "
        "where series = :series"),
        {"series": series, **{c: str(getattr(values, c)) if c == "reset"
                              else getattr(values, c) for c in COLUMNS}})
