"""Everflow's reporting answers: the entity table (capped at 10,000 rows) and conversions."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from orjson import Fragment

from affbill_simulator.conversions import Conversion
from affbill_simulator.model import Row
from affbill_simulator.money import number, units
from affbill_simulator.partners import ADVERTISER, AFFILIATE, Partners
from affbill_simulator.state import SimState
from affbill_simulator.stats import StatWindow

MAX_ROWS = 10_000
CLICKS_PER_CONVERSION = 20
TABLE_COLUMNS = {"date": "date", "advertiser_id": "advertiser", "offer_id": "offer",
                 "affiliate_id": "affiliate", "currency": "currency"}
TABLE_REPORTING = {"conversions": "cv", "revenue": "revenue", "payout": "payout"}


def _table_row(r: Row) -> dict[str, Any]:
    day = r.date.isoformat()
    return {"columns": [
        {"column_type": "date", "id": day, "label": day},
        {"column_type": "advertiser", "id": r.advertiser_id,
         "label": Partners.company(ADVERTISER, int(r.advertiser_id))},
        {"column_type": "offer", "id": r.offer_id, "label": Partners.offer_name(r.offer_id)},
        {"column_type": "affiliate", "id": r.affiliate_id,
         "label": Partners.company(AFFILIATE, int(r.affiliate_id))},
        {"column_type": "currency", "id": r.currency, "label": r.currency}],
        "reporting": {"cv": r.conversions, "revenue": Fragment(number(r.revenue5)),
                      "payout": Fragment(number(r.payout5)),
                      "total_click": r.conversions * CLICKS_PER_CONVERSION, "imp": 0}}


def _corrupt_table_row(row: dict[str, Any], bad: dict[str, Any]) -> None:
    field = bad["field"]
    column = next((c for c in row["columns"] if c["column_type"] == TABLE_COLUMNS.get(field)),
                  None)
    place, name = (column, "id") if column else (row["reporting"],
                                                 TABLE_REPORTING.get(field, field))
    if "value" in bad:
        place[name] = bad["value"]
    else:
        place.pop(name, None)


def table(state: SimState, date_from: dt.date, date_to: dt.date, target: str) -> dict[str, Any]:
    """The first 10,000 rows of the window; `incomplete_results` tells the client to split it.

    The summary sums the rows returned.
    """
    window = StatWindow(state.network, date_from, date_to)
    served = window.page(0, min(window.total, MAX_ROWS), state.totals)
    rows = [_table_row(r) for r in served]
    if rows and (fault := state.faults.take(target, ("malformed_row",))):
        _corrupt_table_row(rows[0], fault.row)
    conversions = sum(r.conversions for r in served)
    return {"table": rows, "summary": {
        "cv": conversions, "revenue": Fragment(number(sum(r.revenue5 for r in served))),
        "payout": Fragment(number(sum(r.payout5 for r in served))),
        "total_click": conversions * CLICKS_PER_CONVERSION, "imp": 0},
        "incomplete_results": window.total > MAX_ROWS}


def _conversion(state: SimState, c: Conversion, zone: ZoneInfo) -> dict[str, Any]:
    return {"conversion_id": c.conversion_id,
            "conversion_unix_timestamp": int(c.at.replace(tzinfo=zone).timestamp()),
            "status": state.conversions.status(c),
            "relationship": {"advertiser": {"network_advertiser_id": int(c.advertiser_id)},
                             "offer": {"network_offer_id": int(c.offer_id)},
                             "affiliate": {"network_affiliate_id": int(c.affiliate_id)}},
            "currency_id": c.currency, "revenue": Fragment(number(units(c.revenue))),
            "payout": Fragment(number(units(c.payout)))}


def _corrupt_conversion(row: dict[str, Any], bad: dict[str, Any]) -> None:
    field = bad["field"]
    entity = field.removesuffix("_id")
    if entity in row["relationship"]:
        place, name = row["relationship"][entity], f"network_{entity}_id"
    else:
        place, name = row, {"currency": "currency_id"}.get(field, field)
    if "value" in bad:
        place[name] = bad["value"]
    else:
        place.pop(name, None)


def conversions(state: SimState, chosen: list[Conversion], target: str) -> list[dict[str, Any]]:
    zone = ZoneInfo(state.scale.timezone)
    rows = [_conversion(state, c, zone) for c in chosen]
    if rows and (fault := state.faults.take(target, ("malformed_row",))):
        _corrupt_conversion(rows[0], fault.row)
    return rows
