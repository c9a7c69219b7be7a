"""Stat rows → the records billing stores (`StatRecord`), read with the contracts'
stat-row codec (`affbill_contracts.stat_rows`: a pydantic-free fast path, the contract
as the fallback that names what is wrong)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from affbill_billing.domain.customers import customer_id
from affbill_contracts import stat_rows
from affbill_contracts.adtracker import StatRowSynced

# (stat_key, customer_id, offer_id, offer_name, day, currency, units, revenue): the columns
# of billing's stat_rows; a removed row is stored as zero.
StatRecord = tuple[str, str, str, str, dt.date, str, int, Decimal]


def record_of_row(r: stat_rows.StatRow) -> StatRecord:
    return (r.stat_key, customer_id(r.connector, "advertiser", r.advertiser_id), r.offer_id,
            r.offer_name, r.date, r.currency, r.conversions, r.revenue)


def record_of(p: StatRowSynced) -> StatRecord:
    return record_of_row(stat_rows.row_of(p))


def parse(raw: bytes) -> StatRecord:
    """The record of a stat-row message; raises ValueError naming the field when it is not
    a valid stat row."""
    return record_of_row(stat_rows.read(raw))
