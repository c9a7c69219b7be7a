"""The simulator in-process (httpx over ASGI): real routes, no sockets, no Kafka, no PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from affbill_simulator.app import create_app
from affbill_simulator.scale import Scale

START = dt.date(2026, 3, 1)
END = START + dt.timedelta(days=4)
# 5 days × 10 rows: small enough to read whole, big enough for paging edges
SCALE = Scale(seed=3, advertisers=3, offers_per_advertiser=2, affiliates=4, employees=3, days=5,
              rows_per_day=10, start_date=START, rate_limit=0)
EF_KEY = {"X-Eflow-API-Key": "sim-key"}
KEY_FIELDS = ("date", "advertiser_id", "offer_id", "affiliate_id", "currency")


def client(app: FastAPI, **transport: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, **transport),
                             base_url="http://sim")


@pytest.fixture
async def sim() -> AsyncIterator[httpx.AsyncClient]:
    async with client(create_app(SCALE)) as c:
        yield c


def ho(target: str = "Report", method: str = "getStats", token: str = "sim-token",
       **params: object) -> list[tuple[str, object]]:
    return [("NetworkToken", token), ("Target", target), ("Method", method),
            *params.items()]


def window(date_from: dt.date = START, date_to: dt.date = END) -> list[tuple[str, str]]:
    return [("filters[Stat.date][conditional]", "BETWEEN"),
            ("filters[Stat.date][values][]", date_from.isoformat()),
            ("filters[Stat.date][values][]", date_to.isoformat())]


async def ho_response(sim: httpx.AsyncClient, params: list[tuple[str, object]]) -> dict[str, Any]:
    r = await sim.get("/Apiv3/json", params=params)
    assert r.status_code == 200
    return r.json()["response"]


async def stat_page(sim: httpx.AsyncClient, limit: int, page: int,
                    date_from: dt.date = START, date_to: dt.date = END) -> dict[str, Any]:
    answer = await ho_response(sim, ho(limit=limit, page=page) + window(date_from, date_to))
    assert answer["status"] == 1, answer
    return answer["data"]


async def all_stats(sim: httpx.AsyncClient, limit: int = 7) -> list[dict[str, str]]:
    """Every stat row of the window, read page by page as a client does."""
    first = await stat_page(sim, limit, 1)
    rows = first["data"]
    for page in range(2, first["pageCount"] + 1):
        rows += (await stat_page(sim, limit, page))["data"]
    return [r["Stat"] for r in rows]


def key(stat: dict[str, str]) -> tuple[str, ...]:
    return tuple(stat[k] for k in KEY_FIELDS)
