"""Number series' rows: taking numbers (the counter row, locked until the issuing
transaction ends), and the series as data (list, create, edit)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from affbill_billing.domain.numbering import NumberSeries, Reset, earlier_year, last_counter_of

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
# a document of a year the yearly series has left continues that year's counter, kept in
# number_series_years (its row locked until commit: gapless within that year too)
TAKE_EARLIER_YEAR = text("""
update number_series_years y set last_counter = y.last_counter + :n
from number_series s
where y.series = :series and y.year = :year and s.series = y.series
returning s.prefix, s.suffix, s.padding, s.start, s.cancellation_suffix, s.reset,
          y.last_counter
""")
LOCK_SERIES = text("select * from number_series where series = :series for update")
YEAR_NUMBERS = text("""
select number from invoices
where series = :series and number is not null
  and issue_date >= make_date(:year, 1, 1) and issue_date < make_date(:year + 1, 1, 1)""")
KEEP_YEAR = text("""
insert into number_series_years (series, year, last_counter) values (:series, :year, :last)
on conflict (series, year) do nothing""")
COLUMNS = ("prefix", "suffix", "padding", "start", "cancellation_suffix", "reset")


def series_of(row: Any) -> NumberSeries:
    return NumberSeries(row.prefix, row.suffix, row.padding, row.start,
                        row.cancellation_suffix, Reset(row.reset))


async def take_numbers(session: AsyncSession, series: str, n: int, year: int
                       ) -> tuple[NumberSeries, int]:
    """Reserve n consecutive counters for documents dated in `year`; returns the series and
    the first of them. Gapless per series (per year for a yearly one): the row stays locked
    until commit, and a rollback returns the counters."""
    values = {"series": series, "n": n, "year": year}
    row = (await session.execute(TAKE_EARLIER_YEAR, values)).first()
    if row is None:
        current = (await session.execute(LOCK_SERIES, values)).first()
        if current is not None and earlier_year(series_of(current), current.counter_year,
                                                year):
            await _keep_year(session, series_of(current), series, year)
            row = (await session.execute(TAKE_EARLIER_YEAR, values)).first()
        else:
            row = (await session.execute(TAKE_NUMBERS, values)).first()
    if row is None:
        raise LookupError(f"number series {series!r} does not exist")
    return series_of(row), row.last_counter - n + 1


async def _keep_year(session: AsyncSession, numbering: NumberSeries, series: str,
                     year: int) -> None:
    """The first late document of a year the series has left: that year's last counter,
    read from the numbers it gave then (the series row is locked: none is being given)."""
    numbers = (await session.execute(YEAR_NUMBERS, {"series": series, "year": year})
               ).scalars()
    await session.execute(KEEP_YEAR, {"series": series, "year": year,
                                      "last": last_counter_of(numbering, numbers, year)})


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
