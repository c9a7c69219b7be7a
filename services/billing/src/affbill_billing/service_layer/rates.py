"""Exchange rates in billing: the synced facts, manual rates, and the rates of a day.

Synced rates (``fx.rates``) are recorded once per event (inbox) in the consumer's
transaction; a manual rate is recorded with who entered it and why, and its audit entry
commits with it. Documents read the rates through ``rate_book``; an issued document
keeps the rate it used in its snapshot, whatever is recorded later.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from affbill_billing.adapters import rates_repo
from affbill_billing.domain.fx import (
    ACCOUNTING_CURRENCY,
    MAX_RATE_AGE_DAYS,
    MissingRate,
    RateBook,
    RateDateRule,
    rate_day,
)
from affbill_contracts.envelope import Envelope
from affbill_runtime import audit
from affbill_runtime.acting import actor
from affbill_runtime.db import UnitOfWork
from affbill_runtime.messaging import apply_once

CONSUMER = "billing.fx_rates"
MANUAL = "manual"


async def apply_published(uow: UnitOfWork, envelopes: Sequence[Envelope[Any]]) -> int:
    """Record synced rates; a redelivered fact, or one repeating the current rates, adds
    nothing. Returns how many facts were new."""
    async def effect(uow: UnitOfWork, fresh: list[Envelope[Any]]) -> None:
        await rates_repo.record(uow.session, [
            rates_repo.RateFact(p.source, p.base, currency, p.rate_date, rate,
                                event_id=env.event_id)
            for env in fresh for p in [env.payload] for currency, rate in sorted(
                p.rates.items())])

    return await apply_once(uow, CONSUMER, envelopes, effect)


async def enter_manual(uow_factory: Callable[[], UnitOfWork], *, currency: str,
                       rate_date: dt.date, rate: Decimal, user: str, reason: str,
                       base: str = "EUR") -> dict[str, Any]:
    """A rate entered by hand (the source had none, or a wrong one): it becomes the day's
    current rate; who and why are kept with it and in the audit trail."""
    async with uow_factory() as uow:
        s = uow.session
        before = await rates_repo.history(s, currency, rate_date)
        await rates_repo.record(s, [rates_repo.RateFact(
            MANUAL, base, currency, rate_date, rate, entered_by=user, reason=reason)])
        after = {"base": base, "currency": currency, "rate_date": rate_date, "rate": rate,
                 "source": MANUAL, "entered_by": user, "reason": reason}
        await audit.record(s, entity_kind="exchange_rate",
                           entity_id=f"{base}/{currency}/{rate_date.isoformat()}",
                           action="enter", before=before[-1] if before else None,
                           after=after, who=actor(user))
        await uow.commit()
    return after


async def rate_book(session: Any, days: Iterable[dt.date],
                    currencies: Iterable[str] | None = None) -> RateBook:
    """The current rates the given days may use (a day, or up to MAX_RATE_AGE_DAYS before)."""
    days = list(days)
    if not days:
        return RateBook([])
    rows = await rates_repo.current(
        session, min(days) - dt.timedelta(days=MAX_RATE_AGE_DAYS), max(days),
        None if currencies is None else list(currencies))
    return RateBook(rates_repo.as_rates(rows))


async def rates_of_day(session: Any, day: dt.date, currency: str | None = None
                       ) -> list[dict[str, Any]]:
    """What a document dated ``day`` would use, per currency: the rate, the day it was
    published for (``day`` or the last before it), its source, and who entered it."""
    rows = await rates_repo.current(session, day - dt.timedelta(days=MAX_RATE_AGE_DAYS), day,
                                    [currency] if currency else None)
    book = RateBook(rates_repo.as_rates(rows))
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        latest[(row["base"], row["currency"])] = row
    answer = []
    for (base, cur), _ in sorted(latest.items()):
        try:
            used = book.on(cur, day, base)
        except MissingRate:  # pragma: no cover - the rows are within the age by the query
            continue
        row = next(r for r in rows if r["base"] == base and r["currency"] == cur
                   and r["rate_date"] == used.rate_date)
        answer.append({"base": base, "currency": cur, "rate": used.rate,
                       "rate_date": used.rate_date, "source": used.source,
                       "entered_by": row["entered_by"], "reason": row["reason"],
                       "recorded_at": row["recorded_at"]})
    return answer


async def book_for(session: Any, currency: str, issue_date: dt.date,
                   period_end: dt.date | None, rule: RateDateRule) -> RateBook | None:
    """The rates a single document in ``currency`` may use (None: it needs none)."""
    if currency == ACCOUNTING_CURRENCY:
        return None
    return await rate_book(session, [rate_day(rule, issue_date, period_end)], [currency])
