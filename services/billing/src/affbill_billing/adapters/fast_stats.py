"""Reading stat-row events without pydantic on the hot path (millions pass here).

Only the plain, current-version shape is accepted; anything else returns None
and the caller validates with the contract (decode_as), which names the problem.
A unit test proves both paths agree.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson

from affbill_contracts.adtracker import StatRowSynced
from affbill_contracts.money import MINOR_UNITS

TYPE, VERSION = StatRowSynced.EVENT_TYPE, StatRowSynced.SCHEMA_VERSION
_TEXT = ("connector", "stat_key", "advertiser_id", "offer_id", "affiliate_id")


@dataclass(frozen=True, slots=True)
class StatRow:
    connector: str
    stat_key: str
    date: dt.date
    advertiser_id: str
    offer_id: str
    offer_name: str
    currency: str
    conversions: int
    revenue: Decimal
    removed: bool


@dataclass(frozen=True, slots=True)
class StatEvent:
    event_id: uuid.UUID
    payload: StatRow


def parse(raw: bytes) -> StatEvent | None:
    try:
        m: dict[str, Any] = orjson.loads(raw)
        if m.get("type") != TYPE or m.get("schema_version") != VERSION:
            return None
        p = m["payload"]
        if not all(type(p[k]) is str and p[k] for k in _TEXT) or p["currency"] not in MINOR_UNITS:
            return None
        conversions, removed = p["conversions"], p["removed"]
        if type(conversions) is not int or conversions < 0 or type(removed) is not bool:
            return None
        revenue = Decimal(p["revenue"])
        if type(p["revenue"]) is not str or not revenue.is_finite():
            return None
        return StatEvent(uuid.UUID(m["event_id"]), StatRow(
            p["connector"], p["stat_key"], dt.date.fromisoformat(p["date"]), p["advertiser_id"],
            p["offer_id"], str(p.get("offer_name") or ""), p["currency"], conversions, revenue,
            removed))
    except (KeyError, TypeError, ValueError, InvalidOperation, orjson.JSONDecodeError):
        return None
