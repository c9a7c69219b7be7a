"""Simulator serving speed: 1,000,000 HasOffers stat rows over real loopback HTTP.

    PYTHONPATH=. .venv/bin/python bench/simulator_serve.py [--days 100 --rows-per-day 10000]

Starts the app in-process with uvicorn on a free loopback port and reads every page of
`Report::getStats` (limit 50,000) with httpx, parsing each page like a client. Client
and server share this process, so the figure is a floor for the server alone.
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

from affbill_simulator.app import create_app
from affbill_simulator.scale import Scale
from bench._stack import free_port

START = dt.date(2026, 1, 1)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=100)
    parser.add_argument("--rows-per-day", type=int, default=10_000)
    parser.add_argument("--limit", type=int, default=50_000)
    args = parser.parse_args()
    scale = Scale(advertisers=200, offers_per_advertiser=5, affiliates=200, days=args.days,
                  rows_per_day=args.rows_per_day, start_date=START, rate_limit=0)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(scale), host="127.0.0.1", port=port,
                                           log_level="warning", access_log=False))
    serving = asyncio.create_task(server.serve())
    while not server.started:
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
    print(f"rows_per_s={rows / seconds:.0f} pages={pages} seconds={seconds:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
