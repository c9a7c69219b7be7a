"""The gateway's OpenAPI document against the real stack (five services, the simulator,
Kafka, PostgreSQL): the clerk's manual way answers what the document says, and a bounded
schema fuzz of every operation finds no 5xx and no answer that breaks its schema."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.processes import running_stack

pytestmark = [pytest.mark.integration, pytest.mark.timeout(1800)]
ADMIN_KEY = "affb_schema-fuzz-admin-key-0123456789abcdef"
SIMULATOR = ("--seed", "7", "--advertisers", "2", "--offers-per-advertiser", "1",
             "--affiliates", "2", "--employees", "1", "--rows-per-day", "3")
EXAMPLES = 6  # per operation: bounded, so the suite stays minutes, not hours
# walked with real data below, not fuzzed: a rate fetch goes to the rates source, and a
# long poll holds each example up to 30 s
WALKED_ONLY = {("POST", "/api/v1/rates/sync"), ("GET", "/api/v1/jobs/{job_id}/lines")}


@pytest.fixture(scope="module")
def stack(database_url: str, kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[dict[str, str]]:
    logs: Path = tmp_path_factory.mktemp("schema-fuzz")
    with running_stack(database_url, kafka_bootstrap, logs, ADMIN_KEY, SIMULATOR) as urls:
        yield urls


@pytest.fixture(scope="module")
def api(stack: dict[str, str]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack["gateway"], timeout=60,
                      headers={"X-API-Key": ADMIN_KEY}) as client:
        yield client


@pytest.fixture(scope="module")
def schema(stack: dict[str, str]) -> Any:
    return schemathesis.openapi.from_url(stack["gateway"] + "/api/v1/openapi.json")


class Walk:
    """Calls the gateway and checks every answer against its operation in the document."""

    def __init__(self, api: httpx.Client, schema: Any) -> None:
        self.api, self.schema, self.checked = api, schema, set[tuple[str, str]]()

    def __call__(self, method: str, template: str, status: int, json: Any = None,
                 params: dict[str, Any] | None = None, **path: str) -> Any:
        response = self.api.request(method, "/api/v1" + template.format(**path), json=json,
                                    params=params)
        assert response.status_code == status, f"{method} {template}: {response.text}"
        self.schema["/api/v1" + template][method].validate_response(response)
        self.checked.add((method, template))
        return response.json() if response.content and "json" in response.headers.get(
            "content-type", "") else response.content

    def until(self, what: str, found: Any, timeout_s: float = 180) -> Any:
        deadline = time.monotonic() + timeout_s
        while not (result := found()):
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            time.sleep(1)
        return result


def test_the_manual_way_answers_as_documented(api: httpx.Client, schema: Any) -> None:
    walk = Walk(api, schema)
    first = (dt.date.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    sync = walk("POST", "/adtracker/syncs", 202, {"connector": "hasoffers-sim",
                                                  "scope": "standard", "date_from": str(first)})
    job = walk.until("the sync", lambda: (j := api.get(f"/api/v1/jobs/{sync['job_id']}")
                                          ).status_code == 200 and j.json()["status"] in (
        "succeeded", "succeeded_with_warnings", "failed") and j.json())
    assert job["status"].startswith("succeeded"), job
    walk("GET", "/jobs/{job_id}", 200, job_id=sync["job_id"])
    walk("GET", "/jobs/{job_id}/lines", 200, job_id=sync["job_id"])
    walk("GET", "/jobs", 200)
    walk("GET", "/adtracker/syncs", 200)
    walk("GET", "/adtracker/syncs/{job_id}", 200, job_id=sync["job_id"])
    walk("GET", "/adtracker/connectors", 200)
    walk("GET", "/adtracker/quarantine", 200)
    lines = walk.until("the generator", lambda: walk("GET", "/generator", 200)["lines"])
    cid = lines[0]["customer_id"]
    walk("GET", "/customers", 200)
    walk("GET", "/customers/{customer_id}", 200, customer_id=cid)
    profile = walk("GET", "/customers/{customer_id}/profile", 200, customer_id=cid)
    walk("PATCH", "/customers/{customer_id}/profile", 200,
         {"version": profile.get("version"), "payment_days": 21} if profile.get("version")
         else {"payment_days": 21}, customer_id=cid)
    walk("GET", "/customers/{customer_id}/threshold-ledger", 200, customer_id=cid)
    items = walk("GET", "/generator/{customer_id}/items", 200, customer_id=cid)["items"]
    assert all(len(i["revenue"].partition(".")[2]) == 2 for i in items)
    draft = walk("POST", "/drafts", 201, {"customer_id": cid,
                                          "item_ids": [i["item_id"] for i in items]})
    did = draft["draft_id"]
    walk("GET", "/drafts", 200)
    draft = walk("PATCH", "/drafts/{draft_id}", 200, {"version": draft["version"],
                                                       "intro_text": "As agreed:"},
                 draft_id=did)
    draft = walk("POST", "/drafts/{draft_id}/lines", 201, {
        "version": draft["version"], "line": {"description": "Bonus", "unit_price": "50"}},
        draft_id=did)
    walk("GET", "/drafts/{draft_id}", 200, draft_id=did)
    invoice = walk("POST", "/drafts/{draft_id}/issue", 200, {"version": draft["version"]},
                   draft_id=did)
    assert invoice["number"] and invoice["issued_at"].endswith("Z")
    walk.until("the rendered document", lambda: api.get(  # rendering is slow on a busy CI
        f"/api/v1/invoices/{did}").status_code == 200, timeout_s=600)
    walk("GET", "/invoices/{invoice_id}", 200, invoice_id=did)
    walk("GET", "/invoices", 200)
    walk("GET", "/invoices/{invoice_id}/pdf", 200, invoice_id=did)
    walk("GET", "/periods", 200)
    walk("GET", "/rates", 200)
    walk("GET", "/number-series", 200)
    walk("GET", "/seller-entities", 200)
    walk("GET", "/keys", 200)
    walk("GET", "/audit", 200, params={"service": "billing"})
    assert len(walk.checked) >= 30


def test_schema_fuzz_finds_no_server_error_and_no_broken_answer(
        api: httpx.Client, schema: Any, stack: dict[str, str],
        capsys: pytest.CaptureFixture[str]) -> None:
    operations = [r.ok() for r in schema.get_all_operations()]
    examples, failures = 0, []
    for operation in operations:
        if (operation.method.upper(), operation.path) in WALKED_ONLY:
            continue
        calls = 0

        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def fuzz(case: Any) -> None:
            nonlocal calls
            calls += 1
            case.call_and_validate(base_url=stack["gateway"], headers={"X-API-Key": ADMIN_KEY},
                                   checks=[not_a_server_error, response_schema_conformance],
                                   timeout=60)

        try:
            fuzz()
        except Exception as exc:  # one operation's finding, collected with the others
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
        examples += calls
    with capsys.disabled():
        print(f"\nschema fuzz: {len(operations)} operations, {examples} examples")
    assert not failures, "\n\n".join(failures)
