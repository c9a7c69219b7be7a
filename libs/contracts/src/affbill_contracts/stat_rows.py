"""The stat-row codec: the one way stat rows become bytes and bytes become stat rows.

Millions of stat rows pass from the sync to billing, so both directions skip pydantic
on their hot path: :func:`encode` writes the envelope JSON directly, :func:`read_fast`
reads the plain current-version shape with the same bounds as the contract
(:class:`~affbill_contracts.adtracker.StatRowSynced`), and :func:`read` hands anything
else to the contract, which upcasts or names the field that is wrong. A unit test
proves the three agree.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, NamedTuple

import orjson

from affbill_contracts.adtracker import StatRowSynced
from affbill_contracts.bounds import INT32_MAX, text_problem
from affbill_contracts.codec import decode_as
from affbill_contracts.money import MINOR_UNITS

TYPE, VERSION = StatRowSynced.EVENT_TYPE, StatRowSynced.SCHEMA_VERSION
_IDS = ("connector", "stat_key", "advertiser_id", "offer_id", "affiliate_id")
_ZERO = Decimal(0)
_WHOLE_DIGITS, _PLACES = 18, 10  # numeric(28, 10), as money.Amount


class StatRow(NamedTuple):
    """A stat row's payload as consumers use it; a removed row reads as zero."""

    connector: str
    stat_key: str
    date: dt.date
    advertiser_id: str
    offer_id: str
    offer_name: str
    affiliate_id: str
    currency: str
    conversions: int
    revenue: Decimal
    removed: bool
    payout: Decimal = Decimal(0)  # what the affiliate earns (a removed row: zero)


def row_of(p: StatRowSynced) -> StatRow:
    """The contract's model as a StatRow (the slow path's result)."""
    return StatRow(p.connector, p.stat_key, p.date, p.advertiser_id, p.offer_id, p.offer_name,
                   p.affiliate_id, p.currency, 0 if p.removed else p.conversions,
                   _ZERO if p.removed else p.revenue, p.removed,
                   _ZERO if p.removed else p.payout)


def now() -> str:
    """occurred_at as the codec writes it (aware UTC, ISO 8601)."""
    return dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")


def encode(*, connector: str, stat_key: str, date: dt.date, advertiser_id: str, offer_id: str,
           offer_name: str, affiliate_id: str, currency: str, conversions: int,
           revenue: Decimal, payout: Decimal, event_id: uuid.UUID | str,
           job_id: uuid.UUID | str, occurred_at: str | None = None,
           removed: bool = False) -> bytes:
    """An Envelope[StatRowSynced] as bytes, without building the model."""
    return orjson.dumps({
        "event_id": str(event_id), "type": TYPE, "schema_version": VERSION,
        "occurred_at": occurred_at or now(), "job_id": str(job_id),
        "payload": {
            "connector": connector, "stat_key": stat_key, "date": date.isoformat(),
            "advertiser_id": advertiser_id, "offer_id": offer_id, "offer_name": offer_name,
            "affiliate_id": affiliate_id, "currency": currency, "conversions": conversions,
            "revenue": str(revenue), "payout": str(payout), "removed": removed,
        },
    })


def encode_removed(stat_key: str, event_id: uuid.UUID | str, job_id: uuid.UUID | str) -> bytes:
    """A row that disappeared from the source, restated to zero (the key names the row)."""
    connector, date, advertiser, offer, affiliate, currency = stat_key.split("|")
    return encode(connector=connector, stat_key=stat_key, date=dt.date.fromisoformat(date),
                  advertiser_id=advertiser, offer_id=offer, offer_name="",
                  affiliate_id=affiliate, currency=currency, conversions=0, revenue=_ZERO,
                  payout=_ZERO, event_id=event_id, job_id=job_id, removed=True)


def _amount(value: Any) -> Decimal | None:
    if type(value) is not str:
        return None
    amount = Decimal(value)
    if not amount.is_finite() or amount.as_tuple().exponent < -_PLACES \
            or (amount and amount.adjusted() >= _WHOLE_DIGITS):
        return None
    return amount


def read_fast(raw: bytes) -> StatRow | None:
    """The plain current-version shape within the contract's bounds, or None (ask read)."""
    try:
        m: dict[str, Any] = orjson.loads(raw)
        if type(m) is not dict or m.get("type") != TYPE:
            return None
        version = m.get("schema_version")
        if type(version) is not int or version != VERSION:
            return None
        p = m["payload"]
        if not all(type(p[k]) is str and p[k] for k in _IDS) or p["currency"] not in MINOR_UNITS:
            return None
        name, date = p.get("offer_name") or "", p["date"]
        if type(name) is not str or type(date) is not str or len(date) != 10:
            return None
        if (b"\\" in raw or not raw.isascii()) and any(  # only escapes hide controls
                text_problem(v, name=True) for v in (*(p[k] for k in _IDS), name)):
            return None
        conversions, removed = p["conversions"], p["removed"]
        if type(conversions) is not int or not 0 <= conversions <= INT32_MAX \
                or type(removed) is not bool:
            return None
        revenue, payout = _amount(p["revenue"]), _amount(p["payout"])
        if revenue is None or payout is None:
            return None
        return StatRow(p["connector"], p["stat_key"], dt.date.fromisoformat(date),
                       p["advertiser_id"], p["offer_id"], name, p["affiliate_id"],
                       p["currency"], 0 if removed else conversions,
                       _ZERO if removed else revenue, removed, _ZERO if removed else payout)
    except Exception:  # anything unusual is the contract's to judge and explain
        return None


def read(raw: bytes) -> StatRow:
    """A stat row from bytes: the fast path, else the contract (which raises, naming the
    field, when the message is not a valid stat row)."""
    row = read_fast(raw)
    if row is not None:
        return row
    envelope = decode_as(StatRowSynced, raw)
    if not isinstance(envelope.payload, StatRowSynced):
        raise ValueError(f"type: {envelope.type} is not a stat row")
    return row_of(envelope.payload)
