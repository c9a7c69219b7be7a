"""The rate history: every rate billing was told, synced or entered by hand.

Rows are only appended: a correction (the source publishing a day again with another
value, or a manual rate) is a later row of the same base, currency and day, and the
latest row is the day's current rate. A fact that repeats the current rate adds nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
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

# a row per rate that differs from the day's current one (or is the day's first)
_RECORD = text("""
    insert into exchange_rates (source, base, currency, rate_date, rate, entered_by, reason,
                                event_id)
    select :source, :base, r.currency, :rate_date, r.rate, :entered_by, :reason, :event_id
      from unnest(cast(:currencies as text[]), cast(:rates as text[])::numeric[])
           as r(currency, rate)
     where r.rate is distinct from (
           select e.rate from exchange_rates e
            where e.base = :base and e.currency = r.currency and e.rate_date = :rate_date
            order by e.id desc limit 1)
    returning currency""")


async def record(session: Any, *, source: str, base: str, rate_date: dt.date,
                 rates: dict[str, Decimal], entered_by: str | None = None,
                 reason: str | None = None, event_id: uuid.UUID | None = None) -> list[str]:
    """Append the rates that change the day's current ones; returns their currencies."""
    currencies = sorted(rates)
    result = await session.execute(_RECORD, {
        "source": source, "base": base, "rate_date": rate_date, "entered_by": entered_by,
        "reason": reason, "event_id": event_id, "currencies": currencies,
        "rates": [str(rates[c]) for c in currencies]})
    return [row[0] for row in result]


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
