"""Simulator serving speed: 1,000,000 HasOffers stat rows over real loopback HTTP.

    PYTHONPATH=. .venv/bin/python bench/simulator_serve.py [--days 100 --rows-per-day 10000]

Starts the app in-process with uvicorn on a free loopback port and reads every page of
`Report::getStats` (limit 50,000) with httpx, parsing each page like a client. Client
and server share this process (and its GIL), so the end-to-end figure is a floor; the
line before it gives the time spent inside the app (generating and serializing).
Needs nothing else running. Last line: rows_per_s=<n> pages=<n> seconds=<n>
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import time

import httpx
import orjson
import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from affbill_simulator.app import create_app
from affbill_simulator.scale import Scale
from bench._stack import free_port

START = dt.date(2026, 1, 1)


class Timed:
    """Wall time spent inside the wrapped ASGI app, summed over requests."""

    def __init__(self, app: ASGIApp) -> None:
        self.app, self.seconds = app, 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            self.seconds += time.perf_counter() - started


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=100)
    parser.add_argument("--rows-per-day", type=int, default=10_000)
    parser.add_argument("--limit", type=int, default=50_000)
    args = parser.parse_args()
    scale = Scale(advertisers=200, offers_per_advertiser=5, affiliates=200, days=args.days,
                  rows_per_day=args.rows_per_day, start_date=START, rate_limit=0)
    port, app = free_port(), Timed(create_app(scale))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", access_log=False,
                                           lifespan="off"))
    serving = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 uvicorn only offers a flag
        await asyncio.sleep(0.05)
    window = [("filters[Stat.date][conditional]", "BETWEEN"),
              ("filters[Stat.date][values][]", START.isoformat()),
              ("filters[Stat.date][values][]", scale.end_date.isoformat())]
    rows = pages = 0
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            started = time.perf_counter()
            page_count = 1
            while pages < page_count:
                response = await http.get("/Apiv3/json", params=[
                    ("NetworkToken", "sim-token"), ("Target", "Report"), ("Method", "getStats"),
                    ("limit", args.limit), ("page", pages + 1), *window])
                data = orjson.loads(response.content)["response"]["data"]
                page_count = data["pageCount"]
                rows += len(data["data"])
                pages += 1
            seconds = time.perf_counter() - started
    finally:
        server.should_exit = True
        await serving
    assert rows == args.days * args.rows_per_day, rows
    print(f"scale: {scale.advertisers} advertisers x {scale.offers_per_advertiser} offers x "
          f"{scale.affiliates} affiliates, {args.days} days x {args.rows_per_day} rows")
    print(f"server_seconds={app.seconds:.2f} server_rows_per_s={rows / app.seconds:.0f}")
    print(f"rows_per_s={rows / seconds:.0f} pages={pages} seconds={seconds:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
