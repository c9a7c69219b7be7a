"""The affbill command against a fake gateway (httpx MockTransport)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from affbill_cli import follow
from affbill_cli.main import app

JOB = "0b7d2f0e-8a43-4c52-a9a4-5d1a9e1f7c33"
Handler = Callable[[httpx.Request], httpx.Response]


class FakeGateway:
    def __init__(self, routes: dict[tuple[str, str], Any]) -> None:
        self.routes = routes
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.routes.get((request.method, request.url.path))
        if answer is None:
            return httpx.Response(404, json={"title": "Not Found", "status": 404})
        if callable(answer):
            return answer(request)
        if isinstance(answer, list):  # answers in turn
            return answer.pop(0) if len(answer) > 1 else answer[0]
        return httpx.Response(200, json=answer)

    def body(self, i: int) -> Any:
        return json.loads(self.requests[i].content)


def invoke(gateway: FakeGateway | Handler, *args: str, env: dict[str, str | None] | None = None
           ) -> Any:
    transport = httpx.MockTransport(gateway)
    return CliRunner().invoke(app, ["--key", "k-1", *args], obj={"transport": transport},
                              env={"COLUMNS": "200", "AFFBILL_URL": None, **(env or {})})


def lines(*texts: str, finished: bool = True, cursor: str = "c2") -> httpx.Response:
    return httpx.Response(200, json={
        "items": [{"time": "2026-11-26T10:15:00Z", "level": "info", "text": t} for t in texts],
        "next": cursor, "finished": finished})


def job(status: str = "succeeded") -> dict[str, Any]:
    return {"job_id": JOB, "kind": "batch_run", "status": status, "title": "Process selected",
            "progress": [{"step": "customers", "done": 2, "total": 2}]}


GENERATOR = {"page": 1, "page_size": 50, "customers": 2, "lines": [
    {"customer_id": "ho:advertiser:7", "name": "Acme Media", "account_manager_id": "3",
     "threshold": {"amount": "100.00", "currency": "EUR"},
     "totals": [{"currency": "EUR", "open_total": "72.50", "items": 3, "pending_conversions": 1,
                 "reaches_threshold": False}]},
    {"customer_id": "ho:advertiser:8", "name": "Shop AG", "account_manager_id": None,
     "threshold": None,
     "totals": [{"currency": "USD", "open_total": "1200.00", "items": 40,
                 "pending_conversions": 0, "reaches_threshold": True}]}]}


def test_generator_prints_one_line_per_customer() -> None:
    gw = FakeGateway({("GET", "/api/v1/generator"): GENERATOR})
    result = invoke(gw, "generator")
    assert result.exit_code == 0, result.output
    assert "Generator: 2 customers" in result.output
    for text in ("ho:advertiser:7", "Acme Media", "72.50", "100.00 EUR", "1200.00", "USD"):
        assert text in result.output
    assert gw.requests[0].headers["x-api-key"] == "k-1"


def test_the_key_comes_from_the_environment_too() -> None:
    gw = FakeGateway({("GET", "/api/v1/generator"): GENERATOR})
    result = CliRunner().invoke(app, ["generator"], obj={"transport": httpx.MockTransport(gw)},
                                env={"AFFBILL_API_KEY": "from-env",
                                     "AFFBILL_URL": "http://gw.example:9000"})
    assert result.exit_code == 0
    assert gw.requests[0].headers["x-api-key"] == "from-env"
    assert str(gw.requests[0].url).startswith("http://gw.example:9000/api/v1/generator")


def test_gateway_down_is_one_clear_line() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    result = invoke(refuse, "jobs", "list")
    assert result.exit_code == 2
    assert result.output.strip() == ("affbill: Cannot reach the gateway at "
                                     "http://127.0.0.1:8000: is it running? (set AFFBILL_URL "
                                     "or --url)")
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("status", "text"), [
    (401, "The gateway refused the API key: set AFFBILL_API_KEY or pass --key with a valid key."),
    (403, "Not allowed: The role viewer may not do this (act access needed)."),
])
def test_a_wrong_key_or_role_says_so(status: int, text: str) -> None:
    problem = {"type": "about:blank", "title": "x", "status": status,
               "detail": "The role viewer may not do this (act access needed)."}
    gw = FakeGateway({("POST", "/api/v1/runs"): lambda r: httpx.Response(status, json=problem)})
    result = invoke(gw, "run", "--all")
    assert result.exit_code == 3
    assert result.output.strip() == f"affbill: {text}"


def test_validation_problems_name_the_field() -> None:
    problem = {"title": "Invalid request", "status": 422, "errors": [
        {"field": "item_ids.0", "reason": "Input should be a valid UUID"}]}
    gw = FakeGateway({("POST", "/api/v1/runs"): lambda r: httpx.Response(422, json=problem)})
    result = invoke(gw, "run", "--item", "nope")
    assert result.exit_code == 1
    assert "Invalid request: item_ids.0: Input should be a valid UUID (HTTP 422)" in result.output


def test_run_needs_a_selection() -> None:
    result = invoke(FakeGateway({}), "run")
    assert result.exit_code == 2 and "Choose --all" in result.output


def test_run_follows_the_job_log_until_it_ends() -> None:
    gw = FakeGateway({
        ("POST", "/api/v1/runs"): lambda r: httpx.Response(202, json={"job_id": JOB}),
        ("GET", f"/api/v1/jobs/{JOB}"): job(),
        ("GET", f"/api/v1/jobs/{JOB}/lines"): [
            lines("Document INV-2026-00001 created for Acme Media", finished=False, cursor="c1"),
            lines("Skipped items with a total of 72.50 EUR (threshold 100.00 EUR) for Shop AG",
                  "Run finished: 1 documents created, 1 customers skipped")]})
    result = invoke(gw, "run", "--customer", "ho:advertiser:7", "--customer", "ho:advertiser:8")
    assert result.exit_code == 0, result.output
    assert gw.body(0) == {"customer_ids": ["ho:advertiser:7", "ho:advertiser:8"], "item_ids": []}
    out = result.output
    assert out.index("Document INV-2026-00001 created") < out.index("Skipped items with a total")
    assert "Job succeeded" in out
    polls = [r.url.params for r in gw.requests if r.url.path.endswith("/lines")]
    assert [p.get("after") for p in polls] == [None, "c1"] and polls[0]["wait"] == "20"


def test_run_takes_the_period_and_the_date_rules() -> None:
    gw = FakeGateway({
        ("POST", "/api/v1/runs"): lambda r: httpx.Response(202, json={"job_id": JOB}),
        ("GET", f"/api/v1/jobs/{JOB}"): job(),
        ("GET", f"/api/v1/jobs/{JOB}/lines"): [lines("Billing period: 2026-11-01..2026-11-30")]})
    result = invoke(gw, "run", "--all", "--period", "2026-11", "--invoice-date",
                    "last_day_of_period", "--due-from", "generation_date")
    assert result.exit_code == 0, result.output
    assert gw.body(0) == {"all": True, "period": "2026-11",
                          "invoice_date_rule": "last_day_of_period",
                          "due_date_basis": "generation_date"}
    result = invoke(gw, "run", "--customer", "c", "--dry-run", "--force", "outage")
    assert result.exit_code == 0, result.output
    posts = [json.loads(r.content) for r in gw.requests if r.method == "POST"]
    assert posts[-1] == {"customer_ids": ["c"], "item_ids": [], "dry_run": True,
                         "force_reason": "outage"}
    assert "Billing period: 2026-11-01..2026-11-30" in result.output


def test_periods_show_readiness_and_locks() -> None:
    gw = FakeGateway({("GET", "/api/v1/periods"): {
        "time_zone": "Europe/Berlin", "settle_hours": 24, "items": [
            {"start": "2026-11-01", "end": "2026-11-30", "ready": False, "locked": None,
             "status": "Period 2026-11-01..2026-11-30 is not ready: no successful sync of ho",
             "connectors": [{"connector": "ho", "ready": False}]},
            {"start": "2026-10-01", "end": "2026-10-31", "ready": True,
             "locked": {"by": "anna", "reason": "closed"}, "status": "ready",
             "connectors": [{"connector": "ho", "ready": True}]}]}})
    result = invoke(gw, "periods", "--frequency", "monthly", "--count", "2")
    assert result.exit_code == 0, result.output
    assert gw.requests[0].url.params["count"] == "2"
    out = result.output
    assert "2026-11-01..2026-11-30" in out and "by anna: closed" in out
    assert "Europe/Berlin" in out


def test_a_failed_job_exits_non_zero() -> None:
    gw = FakeGateway({
        ("POST", "/api/v1/adtracker/syncs"): lambda r: httpx.Response(202, json={"job_id": JOB}),
        ("GET", f"/api/v1/jobs/{JOB}"): job("failed"),
        ("GET", f"/api/v1/jobs/{JOB}/lines"): [lines("Authentication failed")]})
    result = invoke(gw, "sync", "partial", "--connector", "ho-main")
    assert result.exit_code == 1
    assert gw.body(0) == {"connector": "ho-main", "scope": "partial"}
    assert "Authentication failed" in result.output and "Job failed" in result.output


def test_following_waits_for_a_job_to_reach_the_log(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(follow.time, "sleep", lambda s: None)
    gw = FakeGateway({
        ("GET", f"/api/v1/jobs/{JOB}"): [httpx.Response(404, json={"title": "Not Found"}),
                                         httpx.Response(200, json=job())],
        ("GET", f"/api/v1/jobs/{JOB}/lines"): [lines("Standard sync finished")]})
    result = invoke(gw, "jobs", "follow", JOB)
    assert result.exit_code == 0, result.output
    assert "Standard sync finished" in result.output


def test_progress_is_read_from_any_shape_of_job_progress() -> None:
    assert follow.step_of({"progress": {"step": "stats", "done": 5, "total": 9}}) == (
        "stats", 5, 9)
    assert follow.step_of({"progress": {"stats": {"done": 5, "total": None}}}) == (
        "stats", 5, None)
    assert follow.step_of({"progress": []}) is None


def test_issuing_a_draft_with_latest_uses_its_current_version() -> None:
    """Issue 18: `drafts issue` takes the version the clerk saw, or an explicit --latest."""
    gw = FakeGateway({("GET", "/api/v1/drafts/d-1"): {"draft_id": "d-1", "version": 4},
                      ("POST", "/api/v1/drafts/d-1/issue"): {"number": "INV-2026-00009",
                                                             "invoice_id": "i-9"}})
    result = invoke(gw, "drafts", "issue", "d-1", "--latest")
    assert result.exit_code == 0, result.output
    assert gw.body(1) == {"version": 4} and "Issued INV-2026-00009" in result.output


def test_discarding_sends_the_version_given() -> None:
    gw = FakeGateway({("DELETE", "/api/v1/drafts/d-1"): {"discarded": True}})
    result = invoke(gw, "drafts", "discard", "d-1", "--version", "2")
    assert result.exit_code == 0 and gw.requests[0].url.params["version"] == "2"


def test_download_saves_the_streamed_document(tmp_path: Path) -> None:
    pdf = b"%PDF-1.7" + b"x" * 100_000
    gw = FakeGateway({("GET", "/api/v1/invoices/i-1/pdf"): lambda r: httpx.Response(
        200, content=pdf, headers={"content-type": "application/pdf"})})
    target = tmp_path / "inv.pdf"
    result = invoke(gw, "invoices", "download", "i-1", "--out", str(target))
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == pdf and f"({len(pdf)} bytes)" in result.output


def test_a_failed_download_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "inv.xml"
    result = invoke(FakeGateway({}), "invoices", "download", "i-1", "--xml", "--out",
                    str(target))
    assert result.exit_code == 1 and "Not Found" in result.output
    assert list(tmp_path.iterdir()) == []


def test_invoice_list_and_keys() -> None:
    gw = FakeGateway({
        ("GET", "/api/v1/invoices"): {"items": [{"number": "INV-2026-00001", "invoice_id": "i-1",
                                                 "status": "issued", "gross_total": "86.28"}],
                                      "total": 1, "limit": 50, "offset": 0},
        ("POST", "/api/v1/keys"): lambda r: httpx.Response(201, json={
            "key_id": "k1", "name": "anna", "role": "viewer", "key": "affb_secret"}),
        ("DELETE", "/api/v1/keys/k1"): {"name": "anna", "prefix": "affb_secr"}})
    listed = invoke(gw, "invoices", "list", "--status", "issued")
    assert "INV-2026-00001" in listed.output and "86.28" in listed.output
    assert gw.requests[0].url.params["status"] == "issued"
    made = invoke(gw, "keys", "create", "anna", "--role", "viewer")
    assert made.exit_code == 0 and "affb_secret" in made.output
    assert gw.body(1) == {"name": "anna", "role": "viewer"}
    assert "Revoked anna" in invoke(gw, "keys", "revoke", "k1").output


def test_tables_show_the_fields_billing_and_documents_send() -> None:
    gw = FakeGateway({
        ("GET", "/api/v1/drafts"): {"items": [{
            "draft_id": "d-1", "customer_id": "ho:advertiser:7", "customer_name": "Acme Media",
            "currency": "EUR", "document_type": "380", "version": 3, "lines": 2, "items": 5,
            "totals": {"net": "100.00", "tax": "19.00", "gross": "119.00"}, "age_days": 4,
            "approvals": {"required": 2, "count": 1, "by": ["anna"], "complete": False}}],
            "total": 1, "limit": 50, "offset": 0},
        ("GET", "/api/v1/invoices"): {"items": [{
            "invoice_id": "i-1", "number": "INV-2026-00001", "buyer_name": "Acme Media GmbH",
            "customer_id": "ho:advertiser:7", "issue_date": "2026-11-26",
            "due_date": "2026-12-10", "currency": "EUR", "net_total": "72.50",
            "gross_total": "86.28", "status": "cancelled", "valid": True}],
            "total": 1, "limit": 50, "offset": 0}})
    drafts = invoke(gw, "drafts", "list").output
    for shown in ("Acme Media", "100.00", "119.00", "4 d", "1/2"):
        assert shown in drafts, shown
    invoices = invoke(gw, "invoices", "list").output
    for shown in ("INV-2026-00001", "Acme Media GmbH", "2026-12-10", "72.50", "86.28",
                  "cancelled", "yes"):
        assert shown in invoices, shown
