"""Everflow Network API (`/v1/networks/...`, X-Eflow-API-Key)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx

from affbill_contracts.adtracker import (
    AdvertiserSynced,
    AffiliateSynced,
    ConversionStatus,
    ConversionSynced,
    EmployeeSynced,
)
from affbill_contracts.common import PostalAddress
from affbill_sync.adapters.connectors import mapping
from affbill_sync.adapters.connectors.base import AdtrackerError, ConnectorConfig
from affbill_sync.adapters.connectors.http import RetryingClient
from affbill_sync.domain import windows
from affbill_sync.domain.model import DayTotal, StatFact, totals_of
from affbill_sync.domain.quarantine import Rejected

MAX_REPORTING_CALLS = 10  # Everflow's limit of concurrent reporting calls
PAGE_SIZE = 2000
CHUNK_DAYS = 7
STAT_COLUMNS = ["date", "advertiser", "offer", "affiliate", "currency"]


def _json(response: httpx.Response) -> Any:
    return json.loads(response.content, parse_float=Decimal)  # amounts are JSON numbers


class EverflowConnector:
    cheap_probe = False
    def __init__(self, config: ConnectorConfig, *, transport: httpx.AsyncBaseTransport | None = None
                 ) -> None:
        self.config = config
        self._http = httpx.AsyncClient(base_url=str(config.base_url).rstrip("/"),
                                       timeout=config.timeout_s, transport=transport,
                                       headers={"X-Eflow-API-Key": config.token})
        self.client = RetryingClient(self._http, platform="Everflow",
                                     max_attempts=config.max_attempts)
        self._reporting = asyncio.Semaphore(min(config.concurrency, MAX_REPORTING_CALLS))

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _listing(self, path: str, key: str) -> AsyncIterator[list[dict[str, Any]]]:
        page = 1
        while True:
            body = _json(await self.client.request(
                "GET", path, params={"page": page, "page_size": PAGE_SIZE}))
            rows = body.get(key) or []
            yield rows
            total = int((body.get("paging") or {}).get("total_count") or 0)
            if not rows or page * PAGE_SIZE >= total:
                return
            page += 1

    async def employees(self) -> AsyncIterator[list[EmployeeSynced | Rejected]]:
        async for rows in self._listing("/v1/networks/employees", "employees"):
            yield [mapping.build("employee", EmployeeSynced, r, connector=self.config.id,
                                 employee_id=str(r.get("network_employee_id") or ""),
                                 first_name=r.get("first_name") or "",
                                 last_name=r.get("last_name") or "", email=r.get("email") or None,
                                 status=mapping.partner_status(r.get("account_status")))
                   for r in rows]

    def _partner(self, entity: str, model: type, id_field: str, r: dict[str, Any]) -> Any:
        address = r.get("contact_address") or {}
        lines = [line for line in (address.get("address_1"), address.get("address_2")) if line]
        country = (address.get("country_code") or "").upper()
        manager = r.get("network_employee_id")
        return mapping.build(
            entity, model, r, connector=self.config.id,
            **{id_field: str(r.get(f"network_{entity}_id") or "")},
            company=r.get("name") or "", status=mapping.partner_status(r.get("account_status")),
            status_raw=str(r.get("account_status") or ""),
            account_manager_id=str(manager) if manager else None,
            currency=r.get("default_currency_id") or None,
            vat_id=(r.get("billing") or {}).get("tax_id") or None,
            address=PostalAddress(lines=lines[:3], postal_code=address.get("zip_postal_code"),
                                  city=address.get("city"), region=address.get("region_code"),
                                  country_code=country if len(country) == 2 else None))

    async def advertisers(self) -> AsyncIterator[list[AdvertiserSynced | Rejected]]:
        async for rows in self._listing("/v1/networks/advertisers", "advertisers"):
            yield [self._partner("advertiser", AdvertiserSynced, "advertiser_id", r) for r in rows]

    async def affiliates(self) -> AsyncIterator[list[AffiliateSynced | Rejected]]:
        async for rows in self._listing("/v1/networks/affiliates", "affiliates"):
            yield [self._partner("affiliate", AffiliateSynced, "affiliate_id", r) for r in rows]

    async def _table(self, date_from: dt.date, date_to: dt.date) -> list[StatFact | Rejected]:
        """A complete report of the window: split in halves until Everflow says complete."""
        async with self._reporting:
            body = _json(await self.client.request(
                "POST", "/v1/networks/reporting/entity/table",
                json={"from": date_from.isoformat(), "to": date_to.isoformat(),
                      "columns": [{"column": c} for c in STAT_COLUMNS],
                      "query": {"filters": []}}))
        if body.get("incomplete_results"):
            if date_from == date_to:
                raise AdtrackerError(f"Everflow report of {date_from} exceeds 10,000 rows even "
                                     "for a single day; narrow the connector's scope")
            halves = windows.split(date_from, date_to)
            parts = await asyncio.gather(*(self._table(a, b) for a, b in halves))
            return [row for part in parts for row in part]
        return [self._stat(row) for row in body.get("table") or []]

    def _stat(self, row: dict[str, Any]) -> StatFact | Rejected:
        cols = {c.get("column_type"): c for c in row.get("columns") or []}
        rep = row.get("reporting") or {}
        return mapping.stat(row, self.config.id, date=(cols.get("date") or {}).get("id"),
                            advertiser_id=(cols.get("advertiser") or {}).get("id"),
                            offer_id=(cols.get("offer") or {}).get("id"),
                            offer_name=(cols.get("offer") or {}).get("label"),
                            affiliate_id=(cols.get("affiliate") or {}).get("id"),
                            currency=(cols.get("currency") or {}).get("id"),
                            conversions=rep.get("cv"), revenue=rep.get("revenue"),
                            payout=rep.get("payout"))

    async def stat_days(self, date_from: dt.date, date_to: dt.date
                        ) -> AsyncIterator[tuple[dt.date, list[StatFact | Rejected]]]:
        chunks = []
        start = date_from
        while start <= date_to:
            end = min(date_to, start + dt.timedelta(days=CHUNK_DAYS - 1))
            chunks.append((start, end))
            start = end + dt.timedelta(days=1)
        tasks = [asyncio.ensure_future(self._table(a, b)) for a, b in chunks]
        try:
            for (chunk_from, _), task in zip(chunks, tasks, strict=True):
                by_day: dict[dt.date, list[StatFact | Rejected]] = {}
                for fact in await task:
                    day = fact.date if isinstance(fact, StatFact) else chunk_from
                    by_day.setdefault(day, []).append(fact)
                for day in sorted(by_day):
                    yield day, by_day[day]
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def day_totals(self, date_from: dt.date, date_to: dt.date
                         ) -> dict[dt.date, list[DayTotal]]:
        # Everflow's table has no cheaper grouping we can trust here: sum the detail rows.
        totals: dict[dt.date, list[DayTotal]] = {}
        async for day, facts in self.stat_days(date_from, date_to):
            totals[day] = totals_of([f for f in facts if isinstance(f, StatFact)])
        return totals

    async def conversions(self, date_from: dt.date, date_to: dt.date,
                          statuses: list[ConversionStatus]
                          ) -> AsyncIterator[list[ConversionSynced | Rejected]]:
        wanted = [s.value for s in statuses] + (["invalid"] if ConversionStatus.REJECTED in statuses
                                                 else [])
        for status in wanted:
            page = 1
            while True:
                async with self._reporting:
                    body = _json(await self.client.request(
                        "POST", "/v1/networks/reporting/conversions",
                        params={"page": page, "page_size": PAGE_SIZE},
                        json={"from": date_from.isoformat(), "to": date_to.isoformat(),
                              "query": {"filters": [{"filter_id_value": status,
                                                     "resource_type": "status"}]}}))
                rows = body.get("conversions") or []
                yield [self._conversion(r) for r in rows]
                total = int((body.get("paging") or {}).get("total_count") or 0)
                if not rows or page * PAGE_SIZE >= total:
                    break
                page += 1

    def _conversion(self, r: dict[str, Any]) -> ConversionSynced | Rejected:
        rel = r.get("relationship") or {}
        stamp = r.get("conversion_unix_timestamp")
        if not isinstance(stamp, (int, Decimal)):
            return Rejected("conversion", r, f"conversion_unix_timestamp: not a time: {stamp!r}",
                            str(r.get("conversion_id")))
        return mapping.build(
            "conversion", ConversionSynced, r, connector=self.config.id,
            conversion_id=str(r.get("conversion_id") or ""),
            advertiser_id=str((rel.get("advertiser") or {}).get("network_advertiser_id") or ""),
            offer_id=str((rel.get("offer") or {}).get("network_offer_id") or ""),
            affiliate_id=str((rel.get("affiliate") or {}).get("network_affiliate_id") or ""),
            status=mapping.conversion_status(r.get("status")), status_raw=str(r.get("status")),
            currency=str(r.get("currency_id") or ""), revenue=r.get("revenue"),
            payout=r.get("payout"),
            converted_at=dt.datetime.fromtimestamp(int(stamp), dt.UTC))
