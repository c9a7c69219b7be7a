"""One batch run is one trace: gateway → billing → documents → jobs, on the real stack.

The five services run as processes with tracing on (``OTEL_EXPORTER_OTLP_ENDPOINT`` names
an OTLP/HTTP collector in this test process). The test starts the run with a
``traceparent`` of its own, so it knows the trace id; then every service must have sent
spans of that trace — across the gateway's outbox, billing.requests, billing's work item,
billing.invoices and jobs.events — and the run's job-log lines name it.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_gateway_flow import (
    declare_eu_buyers_without_vat_id,
    finished_job,
    follow_lines,
    last_closed_month_end,
    ok,
    settled_generator,
    until,
)
from tests.otlp_collector import Collector, ReceivedSpan, running_collector
from tests.processes import running_stack

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]
ADMIN_KEY = "affb_e2e-traces-" + uuid.uuid4().hex
SIMULATOR = ("--seed", "5", "--advertisers", "3", "--offers-per-advertiser", "1",
             "--affiliates", "2", "--employees", "1", "--rows-per-day", "4")
SERVER, CLIENT, CONSUMER = 2, 3, 5  # opentelemetry.proto Span.SpanKind


@pytest.fixture(scope="module")
def collector() -> Iterator[Collector]:
    with running_collector() as c:
        yield c


@pytest.fixture(scope="module")
def traced_stack(database_url: str, kafka_bootstrap: str, collector: Collector,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, str], Path]]:
    logs: Path = tmp_path_factory.mktemp("e2e-traces")
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint,
           "OTEL_BSP_SCHEDULE_DELAY": "200", "OTEL_TRACES_SAMPLER": "parentbased_always_on"}
    with running_stack(database_url, kafka_bootstrap, logs, ADMIN_KEY, SIMULATOR,
                       extra_env=env) as urls:
        yield urls, logs


@pytest.fixture(scope="module")
def api(traced_stack: tuple[dict[str, str], Path]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=traced_stack[0]["gateway"] + "/api/v1", timeout=60,
                      headers={"X-API-Key": ADMIN_KEY}) as client:
        yield client


def spans_of(collector: Collector, trace_id: str) -> list[ReceivedSpan]:
    return [s for s in collector.spans if s.trace_id == trace_id]


def test_one_batch_runs_trace_spans_gateway_billing_documents_and_jobs(
        api: httpx.Client, collector: Collector,
        traced_stack: tuple[dict[str, str], Path]) -> None:
    sync = ok(api.post("/adtracker/syncs", json={"connector": "hasoffers-sim",
                                                 "scope": "standard"}), 202)
    assert finished_job(api, sync["job_id"])["status"] in ("succeeded",
                                                           "succeeded_with_warnings")
    lines = settled_generator(api, last_closed_month_end())
    assert lines, "the sync brought no open items"
    declare_eu_buyers_without_vat_id(api, lines)

    trace_id = secrets.token_hex(16)
    run = ok(api.post("/runs", json={"all": True},
                      headers={"traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-01"}), 202)
    texts = follow_lines(api, run["job_id"])
    job = finished_job(api, run["job_id"])
    assert job["status"] == "succeeded", job
    assert job["counts"]["documents_created"] >= 1, (job, texts)

    wanted = {"affbill-gateway", "affbill-billing", "affbill-documents", "affbill-jobs"}

    def all_four() -> set[str] | None:
        services = {s.service for s in spans_of(collector, trace_id)}
        return services if wanted <= services else None

    until(all_four, f"spans of trace {trace_id} from {sorted(wanted)}", 90)
    spans = spans_of(collector, trace_id)
    by_service = {s.service: {(x.name, x.kind) for x in spans if x.service == s.service}
                  for s in spans}
    assert ("POST /api/v1/runs", SERVER) in by_service["affbill-gateway"], by_service
    names = {name for name, _ in by_service["affbill-billing"]}
    assert any(n.endswith("billing.requests process") for n in names), by_service
    assert "work item billing.run.process_selected" in names, by_service
    assert ("GET /generator", SERVER) in by_service["affbill-billing"], by_service  # "all"
    assert any(n.endswith("billing.invoices process") and k == CONSUMER
               for n, k in by_service["affbill-documents"]), by_service
    assert any(n.endswith("jobs.events process") and k == CONSUMER
               for n, k in by_service["affbill-jobs"]), by_service

    # the job log names the trace its lines were written in
    lines_read = ok(api.get(f"/jobs/{run['job_id']}/lines"))["items"]
    traces = {line["trace_id"] for line in lines_read}
    assert trace_id in traces and traces <= {trace_id, None}, traces
    # (a chunk another billing process helps with would be outside the trace: null)
    created = [x for x in lines_read if x["text"].startswith("Document ")]
    assert any(x["trace_id"] == trace_id for x in created), created

    # the JSON logs of a service name the trace of the work they were written in
    _, logs = traced_stack
    logged = [json.loads(line) for line in (logs / "billing.log").read_text().splitlines()
              if line.startswith("{")]
    assert any(entry.get("trace_id") == trace_id for entry in logged), logged[-20:]


def test_a_sync_is_a_trace_of_its_adtracker_calls_and_its_job_log(
        api: httpx.Client, collector: Collector) -> None:
    """httpx is instrumented: the sync's calls to the adtracker are CLIENT spans in the
    sync's own trace (its worker starts one per sync), and its job-log lines name it."""
    sync = ok(api.post("/adtracker/syncs", json={"connector": "hasoffers-sim",
                                                 "scope": "partial"}), 202)
    finished_job(api, sync["job_id"])
    traces = {line["trace_id"] for line in ok(api.get(f"/jobs/{sync['job_id']}/lines"))["items"]}
    assert len(traces) == 1 and None not in traces, traces
    [trace_id] = traces

    def client_spans_and_root() -> list[ReceivedSpan] | None:
        """The sync's client spans once its root span is in too: the root ends last, after
        the job finished, and may reach the collector in a later export batch."""
        spans = spans_of(collector, trace_id)
        if not any(s.name == "sync partial" and not s.parent_span_id for s in spans):
            return None
        return [s for s in spans if s.service == "affbill-sync" and s.kind == CLIENT] or None

    calls = until(client_spans_and_root,
                  f"client spans and the root span of the sync in trace {trace_id}", 60)
    assert all(s.name.startswith(("GET", "POST")) for s in calls), calls
