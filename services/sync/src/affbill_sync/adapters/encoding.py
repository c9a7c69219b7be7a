"""Facts → envelope bytes. Stat rows, millions of them, skip pydantic on the hot path;
a unit test proves the bytes decode to the very same contract."""

from __future__ import annotations

import datetime as dt
import uuid

import orjson

from affbill_contracts.adtracker import StatRowSynced
from affbill_contracts.codec import encode
from affbill_contracts.envelope import Envelope, Payload
from affbill_sync.domain.model import StatFact

STAT_TYPE = StatRowSynced.EVENT_TYPE
STAT_VERSION = StatRowSynced.SCHEMA_VERSION


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")


def stat_row(connector: str, key: str, fact: StatFact, event_id: str, job_id: str,
             occurred_at: str | None = None) -> bytes:
    return orjson.dumps({
        "event_id": event_id, "type": STAT_TYPE, "schema_version": STAT_VERSION,
        "occurred_at": occurred_at or _now(), "job_id": job_id,
        "payload": {
            "connector": connector, "stat_key": key, "date": fact.date.isoformat(),
            "advertiser_id": fact.advertiser_id, "offer_id": fact.offer_id,
            "offer_name": fact.offer_name, "affiliate_id": fact.affiliate_id,
            "currency": fact.currency, "conversions": fact.conversions,
            "revenue": str(fact.revenue), "payout": str(fact.payout), "removed": False,
        },
    })


def now() -> str:
    return _now()


def removed_stat_row(key: str, event_id: uuid.UUID | str, job_id: uuid.UUID | str) -> bytes:
    """A row that disappeared from the source: restated to zero."""
    connector, date, advertiser, offer, affiliate, currency = key.split("|")
    return orjson.dumps({
        "event_id": str(event_id), "type": STAT_TYPE, "schema_version": STAT_VERSION,
        "occurred_at": _now(), "job_id": str(job_id),
        "payload": {
            "connector": connector, "stat_key": key, "date": date, "advertiser_id": advertiser,
            "offer_id": offer, "offer_name": "", "affiliate_id": affiliate, "currency": currency,
            "conversions": 0, "revenue": "0", "payout": "0", "removed": True,
        },
    })


def fact(payload: Payload, event_id: uuid.UUID, job_id: uuid.UUID) -> bytes:
    return encode(Envelope.wrap(payload, job_id=job_id, event_id=event_id))
