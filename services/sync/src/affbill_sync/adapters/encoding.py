"""Facts → envelope bytes. Stat rows go through the contracts' stat-row codec, which skips
pydantic on the hot path (millions of rows); the other facts through the models."""

from __future__ import annotations

import uuid

from affbill_contracts import stat_rows
from affbill_contracts.codec import encode
from affbill_contracts.envelope import Envelope, Payload
from affbill_sync.domain.model import StatFact


def stat_row(connector: str, key: str, fact: StatFact, event_id: str, job_id: str,
             occurred_at: str | None = None) -> bytes:
    return stat_rows.encode(
        connector=connector, stat_key=key, date=fact.date, advertiser_id=fact.advertiser_id,
        offer_id=fact.offer_id, offer_name=fact.offer_name, affiliate_id=fact.affiliate_id,
        currency=fact.currency, conversions=fact.conversions, revenue=fact.revenue,
        payout=fact.payout, event_id=event_id, job_id=job_id, occurred_at=occurred_at)


def now() -> str:
    return stat_rows.now()


def removed_stat_row(key: str, event_id: uuid.UUID | str, job_id: uuid.UUID | str) -> bytes:
    """A row that disappeared from the source: restated to zero."""
    return stat_rows.encode_removed(key, event_id, job_id)


def fact(payload: Payload, event_id: uuid.UUID, job_id: uuid.UUID) -> bytes:
    return encode(Envelope.wrap(payload, job_id=job_id, event_id=event_id))
