"""Dry runs: their result lines (for the CSV), and what the previous period's runs billed."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from affbill_billing.domain.dry_run import CSV_COLUMNS, DryRunLine

# the standing documents a run issued for a period: invoices and credit notes, not cancelled
PREVIOUS = """
select customer_id, currency, sum(net_total) from invoices
where status = 'issued' and cancels_invoice_id is null and run_id is not null
  and period_end between :start and :end
  and (cast(:customers as text[]) is null or customer_id = any(:customers))
group by 1, 2"""
NAMES = "select customer_id, name from customers where customer_id = any(:c)"
INSERT = f"""
insert into dry_run_lines (run_id, line_no, {", ".join(CSV_COLUMNS)})
values ($1, $2, {", ".join(f"${n}" for n in range(3, len(CSV_COLUMNS) + 3))})"""


async def done(conn: Any, run_id: uuid.UUID) -> bool:
    return bool(await conn.scalar(text("select 1 from dry_run_lines where run_id = :r limit 1"),
                                  {"r": run_id}))


async def previous_totals(conn: Any, start: dt.date, end: dt.date,
                          customers: Sequence[str] | None
                          ) -> dict[tuple[str, str], Decimal]:
    """Net totals per (customer, currency) that runs issued for a period (its end inside)."""
    rows = (await conn.execute(text(PREVIOUS), {
        "start": start, "end": end,
        "customers": None if customers is None else list(customers)})).all()
    return {(r[0], r[1]): r[2] for r in rows}


async def names(conn: Any, customers: Sequence[str]) -> dict[str, str]:
    return dict((await conn.execute(text(NAMES), {"c": list(customers)})).all())


async def insert(conn: Any, run_id: uuid.UUID, lines: Sequence[DryRunLine]) -> None:
    """Keep the dry run's lines in order (asyncpg connection)."""
    await conn.executemany(INSERT, [(run_id, n, *line.row())
                                    for n, line in enumerate(lines, start=1)])


async def lines(engine: Any, run_id: uuid.UUID) -> list[tuple[Any, ...]]:
    async with engine.connect() as conn:
        return [tuple(r) for r in (await conn.execute(text(
            f"select {', '.join(CSV_COLUMNS)} from dry_run_lines where run_id = :r "
            "order by line_no"), {"r": run_id})).all()]
