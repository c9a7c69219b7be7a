"""The HasOffers Target::Method calls.

Partner lists, stats and conversions as HasOffers writes them.

Every value is a string and money has exactly 5 decimals.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson

from affbill_simulator.conversions import Conversion
from affbill_simulator.hasoffers import Handler, Invalid, Query, corrupt, paged
from affbill_simulator.model import Row
from affbill_simulator.money import five
from affbill_simulator.partners import ADVERTISER, AFFILIATE, NETWORK_CURRENCY, Partner, Partners
from affbill_simulator.state import SimState
from affbill_simulator.stats import StatWindow

REPORT_DEFAULT_LIMIT = 1000
NATURAL_KEY = {"Stat.date", "Stat.advertiser_id", "Stat.offer_id", "Stat.affiliate_id",
               "Stat.currency"}
TOTALS_KEY = ("Stat.date", "Stat.advertiser_id", "Stat.currency")  # the cheap grouping
ALL_FIELDS = NATURAL_KEY | {"Stat.conversions", "Stat.revenue", "Stat.payout", "Offer.name"}


def employees(state: SimState, q: Query, _: str) -> bytes:
    def render(start: int, stop: int) -> list[bytes]:
        return [b'"%d":%b' % (e.id, orjson.dumps({"Employee": {
            "id": str(e.id), "first_name": e.first_name, "last_name": e.last_name,
            "email": e.email, "status": "active"}}))
            for e in state.partners.employees()[start:stop]]
    return paged(q, state.scale.employees, render, default_limit=None, keyed=True)


def _partner(p: Partner) -> dict[str, Any]:
    body = {"id": str(p.id), "company": p.company, "status": p.status,
            "account_manager_id": str(p.manager_id), "address1": p.street, "address2": "",
            "city": p.city, "region": p.region, "country": p.country, "zipcode": p.zipcode,
            "phone": p.phone, "currency": None if p.currency == NETWORK_CURRENCY else p.currency,
            "ref_id": f"ref-{p.id}", "vat_id": p.tax_id}
    if p.kind != ADVERTISER:
        body["payment_method"] = "wire"
    return {p.kind: body}


def partners(kind: str) -> Handler:
    def handler(state: SimState, q: Query, _: str) -> bytes:
        count = state.scale.advertisers if kind == ADVERTISER else state.scale.affiliates
        return paged(q, count, lambda start, stop: [
            b'"%d":%b' % (p.id, orjson.dumps(_partner(p)))
            for p in state.partners.partners(kind, start, stop)], default_limit=None, keyed=True)
    return handler


def _window(q: Query, state: SimState) -> tuple[dt.date, dt.date]:
    values = q.filter_values("Stat.date")
    if not values:
        return state.scale.start_date, state.scale.end_date
    try:
        days = [dt.date.fromisoformat(v[:10]) for v in values]
    except ValueError:
        raise Invalid(f"Invalid Stat.date filter: {values}") from None
    if len(days) > 2:
        raise Invalid("Stat.date takes one value or two (BETWEEN)")
    return days[0], days[-1]


def _full_stats(rows: list[Row]) -> list[bytes]:
    """The rows the clients ask for, written directly: a 50,000-row page stays cheap.

    Rows are unpacked as tuples: attribute access would cost more than the formatting.
    """
    out, last, text, offer_name = [], None, "", Partners.offer_name
    for day, advertiser, offer, affiliate, currency, conversions, revenue, payout in rows:
        if day != last:
            last, text = day, day.isoformat()
        out.append(f'{{"Stat":{{"date":"{text}","advertiser_id":"{advertiser}",'
                   f'"offer_id":"{offer}","affiliate_id":"{affiliate}","currency":"{currency}",'
                   f'"conversions":"{conversions}","revenue":"{five(revenue)}",'
                   f'"payout":"{five(payout)}"}},"Offer":{{"name":"{offer_name(offer)}"}}}}'
                   .encode())
    return out


def _some_stats(rows: list[Row], fields: set[str]) -> list[bytes]:
    return [_some_stat(r, fields) for r in rows]


def _some_stat(r: Row, fields: set[str]) -> bytes:
    stat = {"date": r.date.isoformat(), "advertiser_id": r.advertiser_id, "offer_id": r.offer_id,
            "affiliate_id": r.affiliate_id, "currency": r.currency,
            "conversions": str(r.conversions), "revenue": five(r.revenue5),
            "payout": five(r.payout5)}
    out: dict[str, Any] = {"Stat": {k: v for k, v in stat.items() if f"Stat.{k}" in fields}}
    if "Offer.name" in fields:
        out["Offer"] = {"name": Partners.offer_name(r.offer_id)}
    return orjson.dumps(out)


def stats(state: SimState, q: Query, target: str) -> bytes:
    date_from, date_to = _window(q, state)
    groups = set(q.many("groups[]"))
    fields = set(q.many("fields[]")) or ALL_FIELDS
    if groups and groups <= set(TOTALS_KEY):
        return _totals(state, q, date_from, date_to, groups, fields)
    if groups and not groups >= NATURAL_KEY:
        raise Invalid(f"groups[] must be a subset of {sorted(TOTALS_KEY)} or contain "
                      f"{sorted(NATURAL_KEY)}")
    window = StatWindow(state.network, date_from, date_to)
    def render(start: int, stop: int) -> list[bytes]:
        rows = window.page(start, stop, state.totals)
        out = _full_stats(rows) if fields >= ALL_FIELDS else _some_stats(rows, fields)
        if out and (fault := state.faults.take(target, ("malformed_row",))):
            out[0] = corrupt(out[0], "Stat", fault.row)
        return out

    return paged(q, window.total, render, default_limit=REPORT_DEFAULT_LIMIT)


def _totals(state: SimState, q: Query, date_from: dt.date, date_to: dt.date, groups: set[str],
            fields: set[str]) -> bytes:
    """Sums per the requested subset of (date, advertiser, currency), from the cached totals."""
    sums: dict[tuple[str, int, str], list[int]] = {}
    for day, advertiser, currency, t in state.totals.window(date_from, date_to):
        key = (day.isoformat() if "Stat.date" in groups else "",
               int(advertiser) if "Stat.advertiser_id" in groups else 0,
               currency if "Stat.currency" in groups else "")
        s = sums.setdefault(key, [0, 0, 0])
        s[0], s[1], s[2] = s[0] + t[0], s[1] + t[1], s[2] + t[2]
    # a key field not grouped by has no single value: it is left out like HasOffers does
    wanted = fields - (set(TOTALS_KEY) - groups)
    rows = [orjson.dumps({"Stat": {k: v for k, v in {
        "date": day, "advertiser_id": str(advertiser), "currency": currency,
        "revenue": five(revenue), "payout": five(payout), "conversions": str(conversions),
    }.items() if f"Stat.{k}" in wanted}})
        for (day, advertiser, currency), (revenue, payout, conversions) in sorted(sums.items())]
    return paged(q, len(rows), lambda start, stop: rows[start:stop],
                 default_limit=REPORT_DEFAULT_LIMIT)


def _status(state: SimState, c: Conversion) -> str:
    status = state.conversions.status(c)
    return "rejected" if status == "invalid" else status


def conversions(state: SimState, q: Query, target: str) -> bytes:
    date_from, date_to = _window(q, state)
    wanted = set(q.filter_values("Stat.status"))
    chosen = [c for c in state.conversions.select(date_from, date_to, set())
              if not wanted or _status(state, c) in wanted]
    fields = {f.removeprefix("Stat.") for f in q.many("fields[]")}

    def row(c: Conversion) -> bytes:
        stat = {"id": c.conversion_id, "datetime": c.at.strftime("%Y-%m-%d %H:%M:%S"),
                "status": _status(state, c), "advertiser_id": c.advertiser_id,
                "offer_id": c.offer_id, "affiliate_id": c.affiliate_id, "currency": c.currency,
                "revenue": f"{c.revenue:.5f}", "payout": f"{c.payout:.5f}"}
        return orjson.dumps({"Stat": {k: v for k, v in stat.items() if not fields or k in fields}})

    def render(start: int, stop: int) -> list[bytes]:
        out = [row(c) for c in chosen[start:stop]]
        if out and (fault := state.faults.take(target, ("malformed_row",))):
            out[0] = corrupt(out[0], "Stat", fault.row)
        return out

    return paged(q, len(chosen), render, default_limit=REPORT_DEFAULT_LIMIT)


HANDLERS = {
    "Employee::findAll": employees,
    "Advertiser::findAll": partners(ADVERTISER),
    "Affiliate::findAll": partners(AFFILIATE),
    "Report::getStats": stats,
    "Report::getConversions": conversions,
}
