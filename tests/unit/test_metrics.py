"""The Prometheus series every service serves: consumers read from the board at scrape
time, HTTP durations under the route's template (never the raw path)."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from prometheus_client import REGISTRY, generate_latest

from affbill_runtime import metrics
from affbill_runtime.consumers import ConsumerBoard, Retrying


def test_a_consumer_board_is_scraped_with_its_lag_per_partition() -> None:
    board = ConsumerBoard()
    state = board.register("billing.invoices", "affbill-documents")
    state.applied, state.dead_lettered = 120, 2
    state.positions = {0: 40, 1: 7}
    state.highwater = lambda: {0: 45, 1: 7}
    state.retrying = Retrying("billing.invoices", 0, 40, 2, 0.0, "boom")
    metrics.watch("unit-docs", board)
    text = generate_latest(REGISTRY).decode()
    labels = 'service="unit-docs",topic="billing.invoices"'
    assert f"affbill_consumer_messages_applied_total{{{labels}}} 120.0" in text
    assert f"affbill_consumer_messages_dead_lettered_total{{{labels}}} 2.0" in text
    assert f"affbill_consumer_retrying{{{labels}}} 1.0" in text
    lag = ('affbill_consumer_lag{group="affbill-documents",partition="%s",'
           'service="unit-docs",topic="billing.invoices"}')
    assert f"{lag % 0} 5.0" in text and f"{lag % 1} 0.0" in text


async def test_requests_are_timed_under_their_route_template() -> None:
    app = FastAPI()

    @app.get("/invoices/{invoice_id}")
    async def one(invoice_id: str) -> dict[str, str]:
        return {"id": invoice_id}

    app.add_middleware(metrics.HttpMetrics, service="unit-http")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as c:
        for n in range(3):
            await c.get(f"/invoices/{n}")
        await c.get("/api/v1/nowhere/at/all")
    text = generate_latest(REGISTRY).decode()
    assert ('affbill_http_request_duration_seconds_count{method="GET",'
            'route="/invoices/{invoice_id}",service="unit-http",status="200"} 3.0') in text
    assert ('affbill_http_request_duration_seconds_count{method="GET",route="/api/v1/…",'
            'service="unit-http",status="404"} 1.0') in text
    assert "/invoices/0" not in text


def test_the_grafana_dashboard_asks_only_for_series_the_services_serve() -> None:
    import json
    import re
    from pathlib import Path

    dashboard = json.loads((Path(__file__).resolve().parents[2]
                            / "deploy/grafana/affbill-dashboard.json").read_text())
    served = {m.name for m in REGISTRY.collect()} | {"affbill_consumer_lag",
                                                     "affbill_consumer_retrying"}
    asked = {re.sub(r"_(bucket|count|sum|total)$", "", name)
             for panel in dashboard["panels"] for target in panel["targets"]
             for name in re.findall(r"\baffbill_[a-z_]+", target["expr"])}
    assert asked and asked <= {re.sub(r"_total$", "", s) for s in served}, asked - served
