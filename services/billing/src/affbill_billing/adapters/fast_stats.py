"""Reading stat-row events without pydantic on the hot path (millions pass here).

A stat row becomes the record billing stores (`StatRecord`). Only the plain,
current-version shape is read here; anything else returns None and the caller
validates with the contract (`decode_as` + `record_of`), which names the problem.
A unit test proves both paths agree.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson

from affbill_billing.domain.customers import customer_id
from affbill_contracts.adtracker import StatRowSynced
from affbill_contracts.money import MINOR_UNITS

TYPE, VERSION = StatRowSynced.EVENT_TYPE, StatRowSynced.SCHEMA_VERSION
_TEXT = ("connector", "stat_key", "advertiser_id", "offer_id", "affiliate_id")
_ZERO = Decimal(0)

# (stat_key, customer_id, offer_id, offer_name, day, currency, units, revenue): the columns
# of billing's stat_rows; a removed row is stored as zero.
StatRecord = tuple[str, str, str, str, dt.date, str, int, Decimal]


def record_of(p: StatRowSynced) -> StatRecord:
    return (p.stat_key, customer_id(p.connector, "advertiser", p.advertiser_id), p.offer_id,
            p.offer_name, p.date, p.currency, 0 if p.removed else p.conversions,
            _ZERO if p.removed else p.revenue)


def parse(raw: bytes) -> StatRecord | None:
    try:
        m: dict[str, Any] = orjson.loads(raw)
        if m.get("type") != TYPE or m.get("schema_version") != VERSION:
            return None
        p = m["payload"]
        if not all(type(p[k]) is str and p[k] for k in _TEXT) or p["currency"] not in MINOR_UNITS:
            return None
        conversions, removed, text = p["conversions"], p["removed"], p["revenue"]
        if type(conversions) is not int or conversions < 0 or type(removed) is not bool \
                or type(text) is not str:
            return None
        revenue = Decimal(text)
        if not revenue.is_finite():
            return None
        return (p["stat_key"], f"{p['connector']}:advertiser:{p['advertiser_id']}",
                p["offer_id"], str(p.get("offer_name") or ""), dt.date.fromisoformat(p["date"]),
                p["currency"], 0 if removed else conversions, _ZERO if removed else revenue)
    except (KeyError, TypeError, ValueError, InvalidOperation, orjson.JSONDecodeError):
        return None
