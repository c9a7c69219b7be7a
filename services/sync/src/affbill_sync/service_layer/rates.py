"""Syncing exchange rates: fetch a window of days, publish the days that changed.

Each day a source published is one ExchangeRatesPublished fact on ``fx.rates``, written
through the outbox in the transaction that records the day's digest: a day is published
once per distinct set of rates (a correction is published again, an unchanged day never),
and its event id is derived from the change (previous digest → new), so a re-published
change is recognised by billing's inbox. Runs on schedule (``rates_forever``) and on
demand (POST /rates/sync).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from affbill_contracts import topics
from affbill_contracts.envelope import Envelope
from affbill_contracts.fx import ExchangeRatesPublished
from affbill_runtime.db import UnitOfWork
from affbill_sync.adapters.orm import rate_days
from affbill_sync.adapters.rates_sources import RatesSource
from affbill_sync.domain.facts import event_id
from affbill_sync.domain.rates import DayRates

log = logging.getLogger("affbill.sync.rates")


@dataclass(frozen=True)
class RatesSynced:
    source: str
    days: int  # days the source answered for the window
    published: int  # of them new or corrected, published
    first: dt.date | None = None
    last: dt.date | None = None


async def publish_changed(uow: UnitOfWork, source: str, days: list[DayRates]) -> int:
    """Publish the days whose rates differ from what was last published (in the caller's
    transaction, through the outbox); returns how many."""
    if not days:
        return 0
    s = uow.session
    known = dict((await s.execute(select(rate_days.c.rate_date, rate_days.c.digest).where(
        rate_days.c.source == source,
        rate_days.c.rate_date.between(days[0].rate_date, days[-1].rate_date)))).all())
    changed = []
    for day in days:
        digest, previous = day.digest(), known.get(day.rate_date)
        if digest == previous:
            continue
        key = f"{source}:{day.rate_date.isoformat()}"
        fact = ExchangeRatesPublished(source=source, base=day.base, rate_date=day.rate_date,
                                      rates=day.rates)
        uow.publish(topics.FX_RATES, key, Envelope.wrap(
            fact, event_id=event_id("fx.rates", key, previous, digest)))
        changed.append({"source": source, "rate_date": day.rate_date, "digest": digest})
    if changed:
        statement = insert(rate_days).values(changed)
        await s.execute(statement.on_conflict_do_update(
            index_elements=["source", "rate_date"],
            set_={"digest": statement.excluded.digest, "updated_at": dt.datetime.now(dt.UTC)}))
    return len(changed)


async def sync_rates(uow_factory: Callable[[], UnitOfWork], source: RatesSource,
                     client: httpx.AsyncClient, since: dt.date, today: dt.date) -> RatesSynced:
    """Fetch the source's days from ``since`` through ``today`` and publish the changed."""
    days = await source.fetch(client, since, today)
    async with uow_factory() as uow:
        published = await publish_changed(uow, source.name, days)
        await uow.commit()
    return RatesSynced(source.name, len(days), published,
                       days[0].rate_date if days else None, days[-1].rate_date if days else None)


async def rates_forever(uow_factory: Callable[[], UnitOfWork], source: RatesSource,
                        every_s: float, window_days: int,
                        today: Callable[[], dt.date] = dt.date.today,
                        retry_s: float = 5.0) -> None:
    """The schedule: at start and then every ``every_s`` seconds, the last ``window_days``
    days (a correction of an earlier day inside the window is published too). A failed
    round (the source not reachable yet, a malformed answer) is tried again after
    ``retry_s``, doubling up to ``every_s``: nothing is half-published meanwhile."""
    wait_after_failure = retry_s
    async with httpx.AsyncClient(timeout=30) as client:
        while True:
            day = today()
            try:
                done = await sync_rates(uow_factory, source, client,
                                        day - dt.timedelta(days=window_days), day)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("rates sync failed: %s", exc)
                await asyncio.sleep(wait_after_failure)
                wait_after_failure = min(every_s, wait_after_failure * 2)
                continue
            log.info("rates synced", extra={"source": done.source, "days": done.days,
                                            "published": done.published})
            wait_after_failure = retry_s
            await asyncio.sleep(every_s)
