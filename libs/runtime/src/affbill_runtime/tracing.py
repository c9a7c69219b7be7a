"""OpenTelemetry traces, configured only by the standard ``OTEL_*`` variables.

Tracing is on when the environment names an exporter: ``OTEL_EXPORTER_OTLP_ENDPOINT`` or
``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` (OTLP over HTTP/protobuf), or ``OTEL_TRACES_EXPORTER``
(``otlp``, ``console``); ``OTEL_SDK_DISABLED=true`` or ``OTEL_TRACES_EXPORTER=none`` keeps it
off. Off, nothing is installed: the helpers here return at their first test, no span is
made and no header written. The SDK itself reads the rest (``OTEL_SERVICE_NAME``,
``OTEL_RESOURCE_ATTRIBUTES``, ``OTEL_TRACES_SAMPLER[_ARG]``, ``OTEL_BSP_*``, the exporter's
headers and timeouts, ``OTEL_PROPAGATORS``); without ``OTEL_SERVICE_NAME`` each service is
named ``affbill-<service>``.

The trace context travels as W3C ``traceparent``: in HTTP headers, in Kafka headers, and
between a transaction and its later work in a column (the outbox's, billing's work items):
:func:`traceparent` gives the current one, :func:`resumed` continues one.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any

from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.trace import Link, SpanKind

log = logging.getLogger("affbill.tracing")
TRACER = trace.get_tracer("affbill")
MAX_LINKS = 32  # a batch's other producers, linked; more would only bloat the span
_state = {"enabled": False, "configured": False}


def wanted(env: Mapping[str, str] = os.environ) -> bool:
    """Whether the ``OTEL_*`` variables ask for traces (see the module's text)."""
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporters = env.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporters:
        return exporters != "none"
    return bool(env.get("OTEL_EXPORTER_OTLP_ENDPOINT")
                or env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))


def enabled() -> bool:
    return _state["enabled"]


def configure(service: str, env: Mapping[str, str] = os.environ) -> bool:
    """Install the SDK's tracer provider once per process when the environment asks for
    traces; returns whether tracing is on. httpx clients made afterwards are traced."""
    if _state["configured"]:
        return _state["enabled"]
    _state["configured"] = True
    if not wanted(env):
        return False
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

    named = {} if env.get("OTEL_SERVICE_NAME") else {SERVICE_NAME: f"affbill-{service}"}
    provider = TracerProvider(resource=Resource.create(named))
    for name in (env.get("OTEL_TRACES_EXPORTER") or "otlp").lower().split(","):
        if name.strip() == "console":
            provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
        elif name.strip() == "otlp":
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
            provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        else:
            log.warning("unknown OTEL_TRACES_EXPORTER entry ignored", extra={"entry": name})
    trace.set_tracer_provider(provider)
    HTTPXClientInstrumentor().instrument()
    _state["enabled"] = True
    log.info("tracing on", extra={"exporters": env.get("OTEL_TRACES_EXPORTER") or "otlp"})
    return True


def flush() -> None:
    """Export what is buffered (a stopping service); nothing when tracing is off."""
    provider = trace.get_tracer_provider()
    if _state["enabled"] and hasattr(provider, "force_flush"):
        provider.force_flush(5_000)


def traceparent() -> str | None:
    """The current span's W3C ``traceparent``, to keep with work done later (None: none)."""
    if not _state["enabled"]:
        return None
    ctx = trace.get_current_span().get_span_context()
    if not ctx.is_valid:
        return None
    # W3C trace-context version 00, written directly: a tenth of propagate.inject's cost,
    # paid for every outbox row (tracestate and baggage are not kept)
    return f"00-{ctx.trace_id:032x}-{ctx.span_id:016x}-{ctx.trace_flags:02x}"


def context_of(parent: str | None) -> Context | None:
    return propagate.extract({"traceparent": parent}) if parent else None


def resumed(name: str, parent: str | None, kind: SpanKind = SpanKind.INTERNAL,
            **attributes: Any) -> Any:
    """A current span continuing the trace of ``parent`` (a kept traceparent), or a new
    trace without one; a no-op context when tracing is off."""
    if not _state["enabled"]:
        return nullcontext()
    return TRACER.start_as_current_span(name, context=context_of(parent), kind=kind,
                                        attributes=attributes)


def record_header(record: Any) -> str | None:
    """The ``traceparent`` header of a Kafka record (aiokafka: a sequence of (str, bytes))."""
    for key, value in record.headers or ():
        if key == "traceparent" and value:
            return value.decode("latin-1")
    return None


@contextmanager
def consuming(topic: str, group: str, records: Sequence[Any]) -> Iterator[None]:
    """The span of one consumed batch: it continues the trace of the batch's first record
    that carries a ``traceparent`` and links the other producers' spans (docs/decisions.md,
    "Traces cross Kafka in the outbox row"). Off: nothing."""
    if not _state["enabled"]:
        yield
        return
    parents: dict[str, None] = {}
    for record in records:
        if (found := record_header(record)) is not None:
            parents.setdefault(found)
    ordered = list(parents)
    links = [Link(trace.get_current_span(ctx).get_span_context())
             for p in ordered[1:MAX_LINKS + 1] if (ctx := context_of(p)) is not None]
    with TRACER.start_as_current_span(
            f"{topic} process", context=context_of(ordered[0] if ordered else None),
            kind=SpanKind.CONSUMER, links=links, attributes={
                "messaging.system": "kafka", "messaging.operation.type": "process",
                "messaging.destination.name": topic, "messaging.consumer.group.name": group,
                "messaging.batch.message_count": len(records)}):
        yield


def trace_id_of(parent: str | None) -> str | None:
    """The trace id (32 hex digits) a traceparent names, None for none or a malformed one."""
    if not parent:
        return None
    parts = parent.split("-")
    if len(parts) < 4 or len(parts[1]) != 32 or parts[1] == "0" * 32:
        return None
    try:
        int(parts[1], 16)
    except ValueError:
        return None
    return parts[1].lower()


def current_ids() -> tuple[str, str] | None:
    """(trace id, span id) of the current span in hex, for log lines; None without one."""
    if not _state["enabled"]:
        return None
    ctx = trace.get_current_span().get_span_context()
    if not ctx.is_valid:
        return None
    return format(ctx.trace_id, "032x"), format(ctx.span_id, "016x")


@contextmanager
def client_call(name: str, headers: dict[str, str], **attributes: Any) -> Iterator[None]:
    """A CLIENT span around an outgoing request whose ``headers`` get its traceparent (for
    clients httpx's instrumentation does not see, like the gateway's own)."""
    if not _state["enabled"]:
        yield
        return
    with TRACER.start_as_current_span(name, kind=SpanKind.CLIENT, attributes=attributes):
        propagate.inject(headers)
        yield
