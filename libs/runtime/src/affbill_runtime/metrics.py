"""Prometheus metrics of every service, served at ``GET /metrics``.

What every service exposes: HTTP latency per route (the route's template, never the raw
path: ids would make a series per request), and per consumer — messages applied and
dead-lettered, lag per partition, whether it is stuck retrying — read from the runtime's
consumer board when Prometheus scrapes, and the outbox backlog with its oldest row's age
(one small query per scrape). FastStream's own middleware adds ``faststream_*`` series per
subscriber (received, processed, their duration, exceptions). The business counters
(invoices issued, runs, documents rendered, rows synced) are defined here, once, and
counted where the work happens.

The process's series live in prometheus_client's default registry (with its process and
platform collectors). With ``http_workers`` > 1 each worker process answers for itself.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from affbill_runtime.consumers import ConsumerBoard

HTTP_SECONDS = Histogram(
    "affbill_http_request_duration_seconds", "HTTP requests by route, method and status",
    ["service", "method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
OUTBOX_BACKLOG = Gauge("affbill_outbox_backlog", "Outbox rows waiting to be sent", ["service"])
OUTBOX_OLDEST_AGE = Gauge("affbill_outbox_oldest_age_seconds",
                          "Age of the oldest outbox row waiting to be sent (0: none)",
                          ["service"])
OUTBOX_FAILED = Gauge("affbill_outbox_failed", "Outbox rows set aside as failed", ["service"])
RUN_SECONDS = Histogram("affbill_run_duration_seconds", "Billing runs, start to finish",
                        ["kind"], buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600))
DOCUMENTS_ISSUED = Counter("affbill_documents_issued_total",
                           "Documents numbered and issued by billing", ["document_type"])
DOCUMENTS_RENDERED = Counter("affbill_documents_rendered_total",
                             "Documents rendered (PDF/A-3 + XML), by outcome", ["outcome"])
SYNC_ROWS = Counter("affbill_sync_rows_total", "Rows the sync fetched and published",
                    ["kind", "stage"])

_BACKLOG = """
select count(*) filter (where published_at is null and failed_at is null),
       extract(epoch from now() - min(created_at)
               filter (where published_at is null and failed_at is null)),
       count(*) filter (where failed_at is not null)
from outbox
"""


class BoardCollector(Collector):
    """The consumers of the process's runtimes, read when Prometheus scrapes."""

    def __init__(self) -> None:
        self.boards: dict[str, ConsumerBoard] = {}

    def collect(self) -> Iterator[Any]:
        applied = CounterMetricFamily("affbill_consumer_messages_applied",
                                      "Messages a consumer applied", labels=["service", "topic"])
        rejected = CounterMetricFamily("affbill_consumer_messages_dead_lettered",
                                       "Messages a consumer dead-lettered",
                                       labels=["service", "topic"])
        lag = GaugeMetricFamily("affbill_consumer_lag", "Messages not yet consumed",
                                labels=["service", "group", "topic", "partition"])
        stuck = GaugeMetricFamily("affbill_consumer_retrying",
                                  "1 while a consumer retries a message or the infrastructure",
                                  labels=["service", "topic"])
        for service, board in list(self.boards.items()):
            for state in list(board.consumers.values()):
                applied.add_metric([service, state.topic], state.applied)
                rejected.add_metric([service, state.topic], state.dead_lettered)
                stuck.add_metric([service, state.topic], 1 if state.retrying else 0)
                for partition, behind in state.lag().items():
                    lag.add_metric([service, state.group, state.topic, str(partition)], behind)
        yield from (applied, rejected, lag, stuck)


BOARDS = BoardCollector()
REGISTRY.register(BOARDS)


def watch(service: str, board: ConsumerBoard) -> None:
    """Report ``board``'s consumers under ``service`` (the latest runtime of a name wins)."""
    BOARDS.boards[service] = board


async def scrape(runtime: Any) -> tuple[bytes, str]:
    """The exposition text: the outbox gauges are read from the database first (a database
    that does not answer leaves them as they were; the rest is still served)."""
    service = runtime.settings.service_name
    try:
        async with runtime.engine.connect() as conn:
            backlog, oldest, failed = (await conn.exec_driver_sql(_BACKLOG)).one()
        OUTBOX_BACKLOG.labels(service).set(backlog or 0)
        OUTBOX_OLDEST_AGE.labels(service).set(float(oldest or 0))
        OUTBOX_FAILED.labels(service).set(failed or 0)
    except Exception:
        pass
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


class HttpMetrics:
    """ASGI middleware: each request's duration under its route's template."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app, self.service = app, service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") == "/metrics":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            HTTP_SECONDS.labels(self.service, scope["method"], route_template(scope),
                                str(status[0])).observe(time.perf_counter() - started)


def route_template(scope: Scope) -> str:
    """The template of the route that answered (``/invoices/{invoice_id}``), else the
    path's first two segments."""
    return getattr(scope.get("route"), "path", None) or _unmatched(scope.get("path", ""))


def _unmatched(path: str) -> str:
    """A path no route of this app matched (the gateway forwards those): its first two
    segments, so the series stay few (``/api/v1/invoices/<id>`` → ``/api/v1/…``)."""
    parts = [p for p in path.split("/") if p][:2]
    return "/" + "/".join(parts) + ("/…" if parts else "")
