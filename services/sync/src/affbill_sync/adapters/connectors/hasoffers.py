"""TUNE/HasOffers Network API v3 (`/Apiv3/json`, NetworkToken, bracket parameters)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import orjson

from affbill_contracts.adtracker import (
    AdvertiserSynced,
    AffiliateSynced,
    ConversionStatus,
    ConversionSynced,
    EmployeeSynced,
)
from affbill_contracts.common import PostalAddress
from affbill_contracts.money import MINOR_UNITS
from affbill_sync.adapters.connectors import mapping
from affbill_sync.adapters.connectors.base import (
    AdtrackerAuthError,
    AdtrackerError,
    ConnectorConfig,
    DataChanged,
)
from affbill_sync.adapters.connectors.http import RetryingClient
from affbill_sync.adapters.connectors.paging import days_in_order, pages_in_order
from affbill_sync.domain import parsing
from affbill_sync.domain.model import DayTotal, StatFact
from affbill_sync.domain.quarantine import Rejected

STAT_FIELDS = ["Stat.date", "Stat.advertiser_id", "Stat.offer_id", "Stat.affiliate_id",
               "Stat.currency", "Stat.conversions", "Stat.revenue", "Stat.payout", "Offer.name"]
STAT_GROUPS = ["Stat.date", "Stat.advertiser_id", "Stat.offer_id", "Stat.affiliate_id",
               "Stat.currency"]
CONVERSION_FIELDS = ["Stat.id", "Stat.datetime", "Stat.status", "Stat.advertiser_id",
                     "Stat.offer_id", "Stat.affiliate_id", "Stat.currency", "Stat.revenue",
                     "Stat.payout"]
RATE_LIMIT_WAIT_S = 1.0  # the window is 10 s; waits grow while the limit holds


def _classify(response: httpx.Response) -> float | None:
    body = orjson.loads(response.content)
    response.extensions["affbill.body"] = body
    answer = body.get("response") or {}
    if answer.get("status") == 1:
        return None
    message = str(answer.get("errorMessage") or answer.get("errors") or "")
    if "rate limit" in message.lower():
        return RATE_LIMIT_WAIT_S
    if "token" in message.lower() or answer.get("httpStatus") in (401, 403):
        raise AdtrackerAuthError(f"HasOffers refused the NetworkToken: {message}")
    raise AdtrackerError(f"HasOffers error: {message or 'status ' + str(answer.get('status'))}")


class HasOffersConnector:
    cheap_probe = True  # Report::getStats grouped by day and advertiser is cheap
    def __init__(self, config: ConnectorConfig, *, transport: httpx.AsyncBaseTransport | None = None
                 ) -> None:
        self.config = config
        self._http = httpx.AsyncClient(base_url=str(config.base_url).rstrip("/"),
                                       timeout=config.timeout_s, transport=transport)
        self.client = RetryingClient(self._http, platform="HasOffers",
                                     max_attempts=config.max_attempts, classify=_classify)
        self._days: dict[str, dt.date] = {}

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _call(self, target: str, method: str, params: list[tuple[str, Any]]) -> Any:
        query = [("NetworkToken", self.config.token), ("Target", target), ("Method", method),
                 *params]
        response = await self.client.request("GET", "/Apiv3/json", params=query)
        return response.extensions["affbill.body"]["response"]["data"]

    async def _paged(self, target: str, method: str, params: list[tuple[str, Any]]
                     ) -> AsyncIterator[list[Any]]:
        """Rows of every page; DataChanged when the total moves between pages."""
        size = self.config.page_size

        async def page(n: int) -> Any:
            return await self._call(target, method, [*params, ("limit", size), ("page", n)])

        first = await page(1)
        yield _rows(first)
        count = int(first.get("count") or 0)
        async for data in pages_in_order(page, 2, int(first.get("pageCount") or 1),
                                         self.config.concurrency):
            if int(data.get("count") or 0) != count:
                raise DataChanged(f"HasOffers {target}::{method} changed while paging "
                                  f"({count} → {data.get('count')} rows)")
            yield _rows(data)

    async def _partners(self, target: str) -> AsyncIterator[list[dict[str, Any]]]:
        async for rows in self._paged(target, "findAll", []):
            yield [r[target] for r in rows]

    async def employees(self) -> AsyncIterator[list[EmployeeSynced | Rejected]]:
        async for rows in self._partners("Employee"):
            yield [mapping.build("employee", EmployeeSynced, r, connector=self.config.id,
                                 employee_id=str(r.get("id") or ""),
                                 first_name=r.get("first_name") or "",
                                 last_name=r.get("last_name") or "", email=r.get("email") or None,
                                 status=mapping.partner_status(r.get("status")))
                   for r in rows]

    def _partner(self, entity: str, model: type, id_field: str, r: dict[str, Any]) -> Any:
        lines = [line for line in (r.get("address1"), r.get("address2")) if line]
        country = (r.get("country") or "").upper() or None
        return mapping.build(
            entity, model, r, connector=self.config.id, **{id_field: str(r.get("id") or "")},
            company=r.get("company") or "", status=mapping.partner_status(r.get("status")),
            status_raw=str(r.get("status") or ""),
            account_manager_id=(str(r["account_manager_id"])
                                if r.get("account_manager_id") not in (None, "", "0") else None),
            currency=r.get("currency") or None, vat_id=r.get("vat_id") or None,
            address=PostalAddress(lines=lines[:3], postal_code=r.get("zipcode") or None,
                                  city=r.get("city") or None, region=r.get("region") or None,
                                  country_code=country if country and len(country) == 2 else None),
        )

    async def advertisers(self) -> AsyncIterator[list[AdvertiserSynced | Rejected]]:
        async for rows in self._partners("Advertiser"):
            yield [self._partner("advertiser", AdvertiserSynced, "advertiser_id", r) for r in rows]

    async def affiliates(self) -> AsyncIterator[list[AffiliateSynced | Rejected]]:
        async for rows in self._partners("Affiliate"):
            yield [self._partner("affiliate", AffiliateSynced, "affiliate_id", r) for r in rows]

    def _window(self, date_from: dt.date, date_to: dt.date) -> list[tuple[str, Any]]:
        return [("filters[Stat.date][conditional]", "BETWEEN"),
                ("filters[Stat.date][values][]", date_from.isoformat()),
                ("filters[Stat.date][values][]", date_to.isoformat())]

    async def stat_days(self, date_from: dt.date, date_to: dt.date
                        ) -> AsyncIterator[tuple[dt.date, list[StatFact | Rejected]]]:
        params = [*(("fields[]", f) for f in STAT_FIELDS), *(("groups[]", g) for g in STAT_GROUPS),
                  ("sort[Stat.date]", "asc"), *self._window(date_from, date_to)]

        async def dated() -> AsyncIterator[list[tuple[object, StatFact | Rejected]]]:
            async for rows in self._paged("Report", "getStats", params):
                yield [(str(r.get("Stat", {}).get("date", ""))[:10], self._stat(r)) for r in rows]

        async for day, facts in days_in_order(dated()):
            try:
                yield dt.date.fromisoformat(str(day)), facts
            except ValueError:  # rows without a usable date: quarantined under the window start
                yield date_from, facts

    def _stat(self, row: dict[str, Any]) -> StatFact | Rejected:
        """Fast path for well-formed rows; anything odd goes the checking way (mapping.stat)."""
        try:
            s = row["Stat"]
            currency, conversions = s["currency"], int(s["conversions"])
            revenue, payout = Decimal(s["revenue"]), Decimal(s["payout"])
            ids = (s["advertiser_id"], s["offer_id"], s["affiliate_id"])
            if (currency in MINOR_UNITS and conversions >= 0 and revenue.is_finite()
                    and payout.is_finite() and all(type(i) is str and i and i != "0" for i in ids)):
                day = self._days.get(s["date"])
                if day is None:
                    day = self._days[s["date"]] = dt.date.fromisoformat(s["date"])
                return StatFact(day, ids[0], ids[1], (row.get("Offer") or {}).get("name") or "",
                                ids[2], currency, conversions, revenue, payout)
        except (KeyError, TypeError, ValueError, ArithmeticError):
            pass
        return self._checked_stat(row)

    def _checked_stat(self, row: dict[str, Any]) -> StatFact | Rejected:
        s = row.get("Stat", {})
        return mapping.stat(row, self.config.id, date=s.get("date"),
                            advertiser_id=s.get("advertiser_id"), offer_id=s.get("offer_id"),
                            offer_name=(row.get("Offer") or {}).get("name"),
                            affiliate_id=s.get("affiliate_id"), currency=s.get("currency"),
                            conversions=s.get("conversions"), revenue=s.get("revenue"),
                            payout=s.get("payout"))

    async def day_totals(self, date_from: dt.date, date_to: dt.date
                         ) -> dict[dt.date, list[DayTotal]]:
        params = [*(("fields[]", f) for f in ("Stat.date", "Stat.advertiser_id", "Stat.currency",
                                              "Stat.revenue", "Stat.payout", "Stat.conversions")),
                  *(("groups[]", g) for g in ("Stat.date", "Stat.advertiser_id", "Stat.currency")),
                  *self._window(date_from, date_to)]
        totals: dict[dt.date, list[DayTotal]] = {}
        async for rows in self._paged("Report", "getStats", params):
            for r in rows:
                s = r["Stat"]
                try:
                    totals.setdefault(parsing.day(s["date"]), []).append(DayTotal(
                        str(s["advertiser_id"]), str(s["currency"]),
                        Decimal(str(s["revenue"])), Decimal(str(s["payout"])),
                        int(s["conversions"])))
                except (KeyError, ValueError, ArithmeticError, parsing.BadValue):
                    # an unreadable probe row: force the detailed read of the window
                    return {}
        return totals

    async def conversions(self, date_from: dt.date, date_to: dt.date,
                          statuses: list[ConversionStatus]
                          ) -> AsyncIterator[list[ConversionSynced | Rejected]]:
        params = [*(("fields[]", f) for f in CONVERSION_FIELDS),
                  ("filters[Stat.status][conditional]", "EQUAL_TO"),
                  *(("filters[Stat.status][values][]", s.value) for s in statuses),
                  *self._window(date_from, date_to)]
        async for rows in self._paged("Report", "getConversions", params):
            yield [self._conversion(r) for r in rows]

    def _conversion(self, row: dict[str, Any]) -> ConversionSynced | Rejected:
        s = row.get("Stat", {})
        try:
            converted_at = mapping.local_time(str(s.get("datetime")), self.config.timezone)
        except ValueError:
            return Rejected("conversion", row, f"datetime: not a time: {s.get('datetime')!r}",
                            str(s.get("id")))
        return mapping.build(
            "conversion", ConversionSynced, row, connector=self.config.id,
            conversion_id=str(s.get("id") or ""), advertiser_id=str(s.get("advertiser_id") or ""),
            offer_id=str(s.get("offer_id") or ""), affiliate_id=str(s.get("affiliate_id") or ""),
            status=mapping.conversion_status(s.get("status")), status_raw=str(s.get("status")),
            currency=str(s.get("currency") or ""), revenue=s.get("revenue"),
            payout=s.get("payout"), converted_at=converted_at)


def _rows(data: Any) -> list[Any]:
    """Rows of a `{page, current, count, pageCount, data}` page; data may be keyed by id."""
    rows = data.get("data") if isinstance(data, dict) else data
    if isinstance(rows, dict):
        return list(rows.values())
    return list(rows or [])
