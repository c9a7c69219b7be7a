"""Tracing: off unless the OTEL_* variables name an exporter; on, the context crosses HTTP,
a kept traceparent (outbox row, work item) and a consumed Kafka batch.

The "on" tests give the helpers an SDK provider of their own with an in-memory exporter
(the process's global provider stays untouched for the other tests)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from affbill_runtime import http_spans, tracing
from affbill_runtime.logs import JsonFormatter
from affbill_runtime.relay import _headers

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT = f"00-{TRACE}-00f067aa0ba902b7-01"
OTHER = "00-11111111111111111111111111111111-2222222222222222-01"


@pytest.mark.parametrize(("env", "on"), [
    ({}, False),
    ({"OTEL_SERVICE_NAME": "x", "OTEL_TRACES_SAMPLER": "always_on"}, False),
    ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, True),
    ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, True),
    ({"OTEL_TRACES_EXPORTER": "console"}, True),
    ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_TRACES_EXPORTER": "none"}, False),
    ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_SDK_DISABLED": "true"}, False),
])
def test_tracing_is_on_only_when_the_environment_names_an_exporter(env: dict[str, str],
                                                                   on: bool) -> None:
    assert tracing.wanted(env) is on


def test_off_nothing_is_kept_sent_or_spanned() -> None:
    assert not tracing.enabled()  # the test process has no OTEL_* exporter
    assert tracing.traceparent() is None
    assert tracing.current_ids() is None
    with tracing.resumed("work", PARENT), tracing.consuming("t", "g", [record(PARENT)]):
        assert tracing.traceparent() is None
    assert _headers(None) == [("content-type", b"application/json")]


@pytest.fixture
def spans(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("affbill")
    monkeypatch.setitem(tracing._state, "enabled", True)
    monkeypatch.setattr(tracing, "TRACER", tracer)
    monkeypatch.setattr(http_spans, "TRACER", tracer)
    yield exporter
    provider.shutdown()


def record(parent: str | None, offset: int = 0) -> Any:
    headers = [("content-type", b"application/json")]
    if parent:
        headers.append(("traceparent", parent.encode()))
    return SimpleNamespace(headers=headers, partition=0, offset=offset, value=b"{}")


def test_a_kept_traceparent_is_continued_and_handed_on(spans: InMemorySpanExporter) -> None:
    with tracing.resumed("work item billing.run.process_selected", PARENT):
        kept = tracing.traceparent()
        assert tracing.current_ids() is not None
        assert tracing.current_ids()[0] == TRACE  # type: ignore[index]
    assert tracing.trace_id_of(kept) == TRACE
    [span] = spans.get_finished_spans()
    assert format(span.context.trace_id, "032x") == TRACE
    assert format(span.parent.span_id, "016x") == "00f067aa0ba902b7"  # type: ignore[union-attr]
    assert _headers(kept)[-1] == ("traceparent", kept.encode())  # type: ignore[union-attr]


def test_a_batch_continues_its_first_producers_trace_and_links_the_others(
        spans: InMemorySpanExporter) -> None:
    batch = [record(None, 0), record(PARENT, 1), record(OTHER, 2), record(PARENT, 3)]
    with tracing.consuming("billing.invoices", "affbill-documents", batch):
        assert tracing.trace_id_of(tracing.traceparent()) == TRACE
    [span] = spans.get_finished_spans()
    assert span.name == "billing.invoices process" and span.kind is SpanKind.CONSUMER
    assert span.attributes["messaging.batch.message_count"] == 4  # type: ignore[index]
    assert [format(link.context.trace_id, "032x") for link in span.links] == ["1" * 32]


def test_a_batch_without_trace_context_starts_a_trace(spans: InMemorySpanExporter) -> None:
    with tracing.consuming("adtracker.stats", "affbill-billing", [record(None)]):
        pass
    [span] = spans.get_finished_spans()
    assert span.parent is None and not span.links


@pytest.mark.parametrize(("given", "trace_id"), [
    (PARENT, TRACE), (None, None), ("", None), ("garbage", None),
    ("00-00000000000000000000000000000000-00f067aa0ba902b7-01", None),
    ("00-zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz-00f067aa0ba902b7-01", None)])
def test_the_trace_id_of_a_header_is_read_or_refused(given: str | None,
                                                    trace_id: str | None) -> None:
    assert tracing.trace_id_of(given) == trace_id


async def test_a_request_is_a_server_span_named_by_its_route_continuing_the_caller(
        spans: InMemorySpanExporter) -> None:
    app = FastAPI()
    seen: list[str | None] = []

    @app.get("/invoices/{invoice_id}")
    async def invoice(invoice_id: str) -> dict[str, str]:
        seen.append(tracing.traceparent())
        return {"id": invoice_id}

    @app.get("/health/live")
    async def live() -> dict[str, str]:
        return {}

    asgi = http_spans.ServerSpans(app, service="billing")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi),
                                 base_url="http://svc") as client:
        assert (await client.get("/invoices/42", headers={"traceparent": PARENT})).is_success
        await client.get("/health/live")
    server = [s for s in spans.get_finished_spans() if s.kind is SpanKind.SERVER]
    assert [s.name for s in server] == ["GET /invoices/{invoice_id}"]
    assert server[0].attributes["http.response.status_code"] == 200  # type: ignore[index]
    assert format(server[0].context.trace_id, "032x") == TRACE
    assert tracing.trace_id_of(seen[0]) == TRACE


def test_a_log_line_inside_a_span_names_its_trace(spans: InMemorySpanExporter) -> None:
    formatter = JsonFormatter("billing")
    line = logging.LogRecord("affbill", logging.INFO, "x", 1, "run finished", (), None)
    assert "trace_id" not in json.loads(formatter.format(line))
    with tracing.resumed("work", PARENT):
        entry = json.loads(formatter.format(line))
    assert entry["trace_id"] == TRACE and len(entry["span_id"]) == 16
