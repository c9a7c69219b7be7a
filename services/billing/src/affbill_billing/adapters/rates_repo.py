"""The rate history: every rate billing was told, synced or entered by hand.

Rows are only appended: a correction (the source publishing a day again with another
value, or a manual rate) is a later row of the same base, currency and day, and the
latest row is the day's current rate. A fact that repeats the current rate adds nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from affbill_billing.domain.fx import ExchangeRate

_CURRENT = """
    select distinct on (base, currency, rate_date)
           base, currency, rate_date, rate, source, entered_by, reason, recorded_at
      from exchange_rates
     where rate_date between :since and :until {only}
     order by base, currency, rate_date, id desc"""

# a row per rate that differs from the day's current one (or is the day's first), in order
_RECORD = text("""
    insert into exchange_rates (source, base, currency, rate_date, rate, entered_by, reason,
                                event_id)
    select r.source, r.base, r.currency, r.rate_date, r.rate, r.entered_by, r.reason,
           r.event_id
      from unnest(cast(:source as text[]), cast(:base as text[]), cast(:currency as text[]),
                  cast(:rate_date as date[]), cast(:rate as text[])::numeric[],
                  cast(:entered_by as text[]), cast(:reason as text[]),
                  cast(:event_id as uuid[])) with ordinality
           as r(source, base, currency, rate_date, rate, entered_by, reason, event_id, n)
     where r.rate is distinct from (
           select e.rate from exchange_rates e
            where e.base = r.base and e.currency = r.currency and e.rate_date = r.rate_date
            order by e.id desc limit 1)
     order by r.n
    returning currency""")
COLUMNS = ("source", "base", "currency", "rate_date", "rate", "entered_by", "reason",
           "event_id")


@dataclass(frozen=True)
class RateFact:
    """One rate as told: by a source (event_id) or by hand (entered_by, reason)."""

    source: str
    base: str
    currency: str
    rate_date: dt.date
    rate: Decimal
    entered_by: str | None = None
    reason: str | None = None
    event_id: uuid.UUID | None = None


async def record(session: Any, facts: Sequence[RateFact]) -> list[str]:
    """Append, in one statement and in order, the rates that change their day's current
    one (a rate repeated in the same batch counts once); returns their currencies."""
    last: dict[tuple[str, str, dt.date], Decimal] = {}
    kept = []
    for f in facts:
        key = (f.base, f.currency, f.rate_date)
        if last.get(key) != f.rate:
            kept.append(f)
            last[key] = f.rate
    if not kept:
        return []
    params = {c: [getattr(f, c) for f in kept] for c in COLUMNS}
    params["rate"] = [str(r) for r in params["rate"]]
    return [row[0] for row in await session.execute(_RECORD, params)]


async def current(session: Any, since: dt.date, until: dt.date,
                  currencies: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """The current rate of each day in [since, until], per base and currency."""
    only = "and currency = any(:currencies)" if currencies is not None else ""
    params: dict[str, Any] = {"since": since, "until": until}
    if currencies is not None:
        params["currencies"] = list(currencies)
    result = await session.execute(text(_CURRENT.format(only=only)), params)
    return [dict(row._mapping) for row in result]


def as_rates(rows: Iterable[dict[str, Any]]) -> list[ExchangeRate]:
    return [ExchangeRate(r["currency"], r["rate_date"], r["rate"],
                         r["source"], r["base"]) for r in rows]


async def history(session: Any, currency: str, rate_date: dt.date) -> list[dict[str, Any]]:
    """Every rate recorded for a currency and day, oldest first (corrections included)."""
    result = await session.execute(text(
        "select base, currency, rate_date, rate, source, entered_by, reason, recorded_at "
        "from exchange_rates where currency = :currency and rate_date = :day order by id"),
        {"currency": currency, "day": rate_date})
    return [dict(row._mapping) for row in result]
