"""The billing team's month through the gateway only, on the real stack as processes.

Kafka, PostgreSQL, the adtracker simulator and all five services run once for this module.
Sync (standard) → generator → a threshold on one advertiser → run over all advertisers →
the job log as the user guide shows it → documents rendered → PDF and XML downloaded;
then the manual flow (cart into generator, edit, discount, create, cancel); then requests
that are malformed or stale get problems and change nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pikepdf
import pytest

from tests.processes import running_stack

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]
ADMIN_KEY = "affb_e2e-admin-" + uuid.uuid4().hex
SIMULATOR = ("--seed", "11", "--advertisers", "5", "--offers-per-advertiser", "2",
             "--affiliates", "6", "--employees", "3", "--rows-per-day", "20")
T = TypeVar("T")


def until(check: Callable[[], T | None], what: str, timeout_s: float = 120,
          every_s: float = 0.5) -> T:
    """Poll `check` until it returns something truthy; fail naming `what` after timeout_s."""
    deadline = time.monotonic() + timeout_s
    while True:
        if found := check():
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(every_s)


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.request.method} {response.request.url}" \
        f" → {response.status_code}: {response.text}"
    return response.json() if response.content else None


def last_closed_month_end() -> dt.date:
    """The last day a run bills by default here: the end of the previous month (the stack's
    network time zone is UTC)."""
    return dt.datetime.now(dt.UTC).date().replace(day=1) - dt.timedelta(days=1)


def generator_lines(api: httpx.Client, period_to: dt.date | None = None
                    ) -> list[dict[str, Any]]:
    params: dict[str, Any] = {"page": 1, "page_size": 500}
    if period_to:
        params["period_to"] = str(period_to)
    body = ok(api.get("/generator", params=params))
    assert len(body["lines"]) == body["customers"]  # one page holds them all here
    return body["lines"]


def settled_generator(api: httpx.Client, period_to: dt.date | None = None
                      ) -> list[dict[str, Any]]:
    """Billing applies the synced facts a moment after the sync job ends: wait until two
    reads a second apart agree."""
    seen: list[Any] = [None]

    def same_twice() -> list[dict[str, Any]] | None:
        lines = generator_lines(api, period_to)
        figures = sorted((t["items"], t["open_total"]) for line in lines for t in line["totals"])
        settled, seen[0] = lines and figures == seen[0], figures
        return lines if settled else None

    return until(same_twice, "the generator to settle after the sync", every_s=1.0)


def settled_jobs(api: httpx.Client) -> int:
    """The number of jobs once none is running and none came in for a few seconds: the
    documents service batches renderings into jobs of its own, which land after the
    billing job whose documents they render."""
    seen: list[int] = []

    def quiet() -> int | None:
        body = ok(api.get("/jobs", params={"limit": 500}))
        running = any(j["status"] in ("queued", "running") for j in body["items"])
        seen.append(-1 if running else body["total"])
        return seen[-1] if len(seen) >= 4 and len(set(seen[-4:])) == 1 and not running else None
    return until(quiet, "no job running and no new job for a few seconds", 300, every_s=1.0)


def finished_job(api: httpx.Client, job_id: str, timeout_s: float = 180) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        response = api.get(f"/jobs/{job_id}")
        if response.status_code == 404:  # not in the job log yet
            return None
        job = ok(response)
        return job if job["status"] in ("succeeded", "succeeded_with_warnings", "failed") \
            else None
    return until(done, f"job {job_id} to finish", timeout_s)


def follow_lines(api: httpx.Client, job_id: str, timeout_s: float = 180) -> list[dict[str, Any]]:
    """Every log line of the job, read as a follower does: ?after=<next>&wait= until finished."""
    lines: list[dict[str, Any]] = []
    cursor: str | None = None
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        response = api.get(f"/jobs/{job_id}/lines",
                           params={"wait": 5, **({"after": cursor} if cursor else {})})
        if response.status_code == 404:
            time.sleep(0.5)
            continue
        page = ok(response)
        lines += page["items"]
        cursor = page["next"] or cursor
        if page["finished"]:
            return lines
    raise AssertionError(f"job {job_id} did not finish in {timeout_s} s; lines: {lines}")


@dataclass
class Billed:
    """What the batch run over all advertisers did."""

    job: dict[str, Any]
    lines: list[str]
    skipped: dict[str, Any]  # the generator line of the advertiser held back by its threshold
    billed: list[dict[str, Any]]  # the generator lines of the others


@pytest.fixture(scope="module")
def stack(database_url: str, kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[dict[str, str]]:
    logs: Path = tmp_path_factory.mktemp("e2e-gateway")
    with running_stack(database_url, kafka_bootstrap, logs, ADMIN_KEY, SIMULATOR) as urls:
        yield urls


@pytest.fixture(scope="module")
def api(stack: dict[str, str]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack["gateway"] + "/api/v1", timeout=60,
                      headers={"X-API-Key": ADMIN_KEY}) as client:
        yield client


@pytest.fixture(scope="module")
def billed(api: httpx.Client) -> Billed:
    sync = ok(api.post("/adtracker/syncs", json={"connector": "hasoffers-sim",
                                                 "scope": "standard"}), 202)
    assert finished_job(api, sync["job_id"])["status"] in ("succeeded",
                                                           "succeeded_with_warnings")
    # the run bills the last closed month: the generator up to its end is what it bills
    lines = [line for line in settled_generator(api, last_closed_month_end())
             if len(line["totals"]) == 1]
    assert len(lines) >= 3, lines
    lines.sort(key=lambda line: Decimal(line["totals"][0]["open_total"]))
    skipped, *others = lines
    total = skipped["totals"][0]
    threshold = (Decimal(total["open_total"]) * 2).quantize(Decimal("0.01"))
    ok(api.patch(f"/customers/{skipped['customer_id']}/profile", json={
        "threshold_amount": str(threshold), "threshold_currency": total["currency"]}))
    declare_eu_buyers_without_vat_id(api, lines)

    run = ok(api.post("/runs", json={"all": True}), 202)
    texts = [line["text"] for line in follow_lines(api, run["job_id"])]
    return Billed(finished_job(api, run["job_id"]), texts, skipped, others)


def declare_eu_buyers_without_vat_id(api: httpx.Client, lines: list[dict[str, Any]]) -> None:
    """The simulator has EU advertisers without VAT id: a run would leave them open ('VAT id
    missing …') until their profile says what they are — the clerk says 'business'."""
    for line in lines:
        path = f"/customers/{line['customer_id']}/profile"
        if ok(api.get(path))["tax_treatment"] is None:
            assert ok(api.patch(path, json={"buyer_kind": "business"}))["tax_treatment"] == (
                "domestic")


def test_the_run_logs_created_and_skipped_lines_as_the_user_guide_shows_them(
        billed: Billed) -> None:
    assert billed.job["status"] == "succeeded", billed.job
    assert billed.job["kind"] == "batch_run" and billed.job["started_by"] == "admin"
    created = [t for t in billed.lines if t.startswith("Document ") and " created for " in t]
    assert len(created) == billed.job["counts"]["documents_created"] >= len(billed.billed)
    for line in billed.billed:
        assert any(t.endswith(f" created for {line['name']}") for t in created), line["name"]
    [skipped] = [t for t in billed.lines if t.startswith("Skipped items with a total of ")]
    total = billed.skipped["totals"][0]
    amount, currency = skipped.removeprefix("Skipped items with a total of ").split()[:2]
    assert currency == total["currency"]  # the open total, rounded to the currency's cents
    assert abs(Decimal(amount) - Decimal(total["open_total"])) <= Decimal("0.005")
    assert skipped.endswith(f"for {billed.skipped['name']}")
    assert billed.job["counts"]["customers_skipped"] == 1


def test_the_skipped_advertiser_stays_in_the_generator(api: httpx.Client,
                                                       billed: Billed) -> None:
    lines = {line["customer_id"]: line
             for line in generator_lines(api, last_closed_month_end())}
    assert billed.skipped["customer_id"] in lines
    assert lines[billed.skipped["customer_id"]]["totals"][0]["reaches_threshold"] is False
    assert not any(line["customer_id"] in lines for line in billed.billed)


def test_documents_are_rendered_and_downloadable_as_pdf_and_xml(
        api: httpx.Client, billed: Billed) -> None:
    created = billed.job["counts"]["documents_created"]
    invoices = until(lambda: (body := ok(api.get("/invoices", params={"limit": 500})))[
        "total"] >= created and body["items"], f"{created} rendered documents", 300)
    assert {i["status"] for i in invoices} == {"issued"}
    invoice = invoices[0]
    assert ok(api.get(f"/invoices/{invoice['invoice_id']}"))["number"] == invoice["number"]

    pdf = api.get(f"/invoices/{invoice['invoice_id']}/pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert int(pdf.headers["content-length"]) == len(pdf.content)
    with pikepdf.open(io.BytesIO(pdf.content)) as document:  # Factur-X: the XML inside
        embedded = document.attachments["factur-x.xml"].get_file().read_bytes()

    xml = api.get(f"/invoices/{invoice['invoice_id']}/xml")
    assert xml.status_code == 200 and xml.headers["content-type"].startswith("application/xml")
    assert b"CrossIndustryInvoice" in xml.content
    assert invoice["number"].encode() in xml.content
    assert xml.content == embedded


def test_foreign_currency_vat_is_stated_in_euro_at_the_synced_rate(
        api: httpx.Client, billed: Billed) -> None:
    """The sync fetched the simulator's ECB rates at start; billing recorded them, and every
    invoice charging VAT in another currency states it in EUR with that rate."""
    rates = ok(api.get("/rates"))["rates"]
    assert {"GBP", "USD", "CHF"} <= {r["currency"] for r in rates}
    assert {r["source"] for r in rates} == {"ecb"}
    created = billed.job["counts"]["documents_created"]
    invoices = until(lambda: (body := ok(api.get("/invoices", params={"limit": 500})))[
        "total"] >= created and body["items"], f"{created} rendered documents", 300)
    for invoice in invoices:
        accounting = invoice["accounting"]
        if invoice["currency"] == "EUR" or Decimal(invoice["tax_total"]) == 0:
            continue
        assert accounting["currency"] == "EUR" and accounting["source"] == "ecb", invoice
        quoted = {r["currency"]: r["rate"] for r in rates}[invoice["currency"]]
        assert accounting["rate"] == quoted and invoice["valid"], invoice
        xml = api.get(f"/invoices/{invoice['invoice_id']}/xml").content
        assert b"<ram:TaxCurrencyCode>EUR</ram:TaxCurrencyCode>" in xml


def test_manual_flow_cart_edit_discount_create_cancel(api: httpx.Client,
                                                      billed: Billed) -> None:
    customer = billed.skipped["customer_id"]
    items = ok(api.get(f"/generator/{customer}/items", params={"page_size": 1000}))["items"]
    assert items
    draft = ok(api.post("/drafts", json={"customer_id": customer,
                                         "item_ids": [i["item_id"] for i in items]}), 201)
    assert draft["customer_id"] == customer and draft["items"] == len(items)
    draft_id, gross_before = draft["draft_id"], Decimal(draft["totals"]["gross"])

    first = draft["lines"][0]
    draft = ok(api.patch(f"/drafts/{draft_id}/lines/{first['line_id']}", json={
        "version": draft["version"], "description": "Leads October, as agreed"}))
    assert draft["lines"][0]["description"] == "Leads October, as agreed"
    draft = ok(api.post(f"/drafts/{draft_id}/lines", json={
        "version": draft["version"], "line": {"description": "Discount",
                                              "quantity": "-1", "unit_price": "10.00"}}), 201)
    assert draft["lines"][-1]["net_amount"] == "-10.00"
    assert Decimal(draft["totals"]["gross"]) < gross_before

    invoice = ok(api.post(f"/drafts/{draft_id}/issue", json={"version": draft["version"]}))
    assert invoice["invoice_id"] == draft_id and invoice["status"] == "issued"
    assert invoice["totals"]["gross"] == draft["totals"]["gross"]
    assert api.get(f"/drafts/{draft_id}").status_code == 404  # no longer a draft
    assert billed.skipped["customer_id"] not in {
        line["customer_id"] for line in generator_lines(api)}  # its items are billed

    cancellation = ok(api.post(f"/invoices/{draft_id}/cancel"), 201)
    assert cancellation["kind"] == "cancellation"
    assert cancellation["cancels_invoice_id"] == draft_id
    assert cancellation["number"] != invoice["number"]

    def rendered_as_cancelled() -> list[str] | None:
        found = ok(api.get("/invoices", params={"customer_id": customer}))["items"]
        statuses = sorted((i["status"], i["number"]) for i in found)
        return statuses if [s for s, _ in statuses] == ["cancellation", "cancelled"] else None
    assert until(rendered_as_cancelled, "the invoice and its cancellation in the invoice list",
                 300) == [("cancellation", cancellation["number"]),
                          ("cancelled", invoice["number"])]


def test_malformed_and_stale_requests_get_problems_and_change_nothing(
        api: httpx.Client, billed: Billed) -> None:
    customer = billed.skipped["customer_id"]
    before = {"jobs": settled_jobs(api), "drafts": ok(api.get("/drafts"))["total"],
              "profile": ok(api.get(f"/customers/{customer}/profile")),
              "invoices": ok(api.get("/invoices"))["total"]}

    def problem(response: httpx.Response, status: int, field: str | None = None
                ) -> dict[str, Any]:
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert body["status"] == status and body["title"]
        if field:
            assert field in [e["field"] for e in body["errors"]], body
        return body

    problem(api.post("/runs", json={"all": True, "customer_ids": [customer]}), 422, "all")
    problem(api.post("/runs", json={"customer_ids": [customer], "run_id": "x"}), 422,
            "run_id")
    problem(api.post("/drafts", json={"customer_id": customer, "item_ids": ["nope"]}), 422)
    problem(api.post("/drafts", content=b"{not json", headers={
        "content-type": "application/json"}), 422)
    problem(api.patch(f"/customers/{customer}/profile", json={
        "threshold_amount": "-5", "threshold_currency": "EUR"}), 422)
    problem(api.patch(f"/customers/{customer}/profile", json={"threshold_amount": "5"}), 422)
    problem(api.get("/jobs/not-a-job"), 422, "path.job_id")
    assert problem(api.get(f"/jobs/{uuid.uuid4()}", headers={"X-Request-Id": "e2e-1"}),
                   404)["request_id"] == "e2e-1"
    problem(api.get(f"/invoices/{uuid.uuid4()}/pdf"), 404)
    problem(api.post("/adtracker/syncs", json={"connector": "hasoffers-sim",
                                               "scope": "everything"}), 422, "scope")
    unauthorized = problem(httpx.get(f"{api.base_url}/generator"), 401)
    assert "API key" in unauthorized["detail"]

    # a stale version: 409 with the current one, and the draft stays as it was
    draft = ok(api.post("/drafts/custom", json={"customer_id": customer,
        "supply_date": "2026-10-31", "lines": [
        {"description": "Setup fee", "unit_price": "100.00"}]}), 201)
    stale = problem(api.patch(f"/drafts/{draft['draft_id']}", json={
        "version": draft["version"] + 1, "intro_text": "changed"}), 409)
    assert stale["current_version"] == draft["version"]
    assert ok(api.get(f"/drafts/{draft['draft_id']}")) == draft
    ok(api.delete(f"/drafts/{draft['draft_id']}", params={"version": draft["version"]}), 204)

    after = {"jobs": ok(api.get("/jobs"))["total"], "drafts": ok(api.get("/drafts"))["total"],
             "profile": ok(api.get(f"/customers/{customer}/profile")),
             "invoices": ok(api.get("/invoices"))["total"]}
    assert after == before
