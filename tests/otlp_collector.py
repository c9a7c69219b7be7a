"""An OTLP/HTTP trace collector in the test process: receives ``POST /v1/traces``
(protobuf, as the services' exporter sends it) and keeps the spans it decoded.

Tests point the services at it with ``OTEL_EXPORTER_OTLP_ENDPOINT`` and read
``collector.spans``; benches use it as the local sink that tracing exports to.
"""

from __future__ import annotations

import gzip
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)


@dataclass(frozen=True)
class ReceivedSpan:
    service: str  # the resource's service.name
    trace_id: str  # 32 hex digits
    span_id: str
    parent_span_id: str  # "" for a root
    name: str
    kind: int  # opentelemetry.proto Span.SpanKind: 2 server, 3 client, 4 producer, 5 consumer
    links: tuple[str, ...]  # trace ids of the linked spans


class Collector:
    """The spans received so far (thread-safe); ``endpoint`` is the OTLP base URL."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._spans: list[ReceivedSpan] = []
        self.requests = 0
        self.endpoint = ""

    @property
    def spans(self) -> list[ReceivedSpan]:
        with self._lock:
            return list(self._spans)

    def receive(self, body: bytes) -> None:
        request = ExportTraceServiceRequest.FromString(body)
        spans = []
        for resource_spans in request.resource_spans:
            service = next((a.value.string_value for a in resource_spans.resource.attributes
                            if a.key == "service.name"), "")
            for scope in resource_spans.scope_spans:
                spans += [ReceivedSpan(service, s.trace_id.hex(), s.span_id.hex(),
                                       s.parent_span_id.hex(), s.name, s.kind,
                                       tuple(link.trace_id.hex() for link in s.links))
                          for s in scope.spans]
        with self._lock:
            self._spans += spans
            self.requests += 1


@contextmanager
def running_collector() -> Iterator[Collector]:
    """A collector serving on a free loopback port until the block ends."""
    collector = Collector()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            encoding = self.headers.get("Content-Encoding", "")
            if encoding == "gzip":
                body = gzip.decompress(body)
            elif encoding == "deflate":
                body = zlib.decompress(body)
            if self.path != "/v1/traces":
                self.send_error(404)
                return
            collector.receive(body)
            answer = ExportTraceServiceResponse().SerializeToString()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    collector.endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="otlp-collector", daemon=True)
    thread.start()
    try:
        yield collector
    finally:
        server.shutdown()
        server.server_close()
