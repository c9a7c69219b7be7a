"""Stat rows → the records billing stores (`StatRecord`), read with the contracts'
stat-row codec (`affbill_contracts.stat_rows`: a pydantic-free fast path, the contract
as the fallback that names what is wrong).

One stat row is two records, one per side of the network: the advertiser's revenue
(what it is billed) and the affiliate's payout (what it is paid), each kept and turned
into billable items by the same rules (see adapters/sql/ingest_recompute.sql)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from affbill_billing.domain.customers import Side, customer_id
from affbill_contracts import stat_rows
from affbill_contracts.adtracker import StatRowSynced

# (stat_key, customer_id, offer_id, offer_name, day, currency, units, amount, side): the
# columns of billing's stat_rows and the side the record bills (a removed row: zero).
StatRecord = tuple[str, str, str, str, dt.date, str, int, Decimal, str]
StatRecords = tuple[StatRecord, StatRecord]  # the advertiser's, then the affiliate's


def records_of_row(r: stat_rows.StatRow) -> StatRecords:
    return ((r.stat_key, customer_id(r.connector, Side.ADVERTISER, r.advertiser_id), r.offer_id,
             r.offer_name, r.date, r.currency, r.conversions, r.revenue, Side.ADVERTISER.value),
            (r.stat_key, customer_id(r.connector, Side.AFFILIATE, r.affiliate_id), r.offer_id,
             r.offer_name, r.date, r.currency, r.conversions, r.payout, Side.AFFILIATE.value))


def record_of(p: StatRowSynced) -> StatRecords:
    return records_of_row(stat_rows.row_of(p))


def parse(raw: bytes) -> StatRecords:
    """The records of a stat-row message; raises ValueError naming the field when it is not
    a valid stat row."""
    return records_of_row(stat_rows.read(raw))
