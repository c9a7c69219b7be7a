"""The `affbill` command against the real stack (its own, started once for this module).

What a user types: sync, the generator, a run over all advertisers followed to the end of
its job log, the invoice list, downloads; and the one-line failures for a wrong key or a
gateway that is not there.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.test_gateway_flow import SIMULATOR, ok, settled_generator, until
from tests.processes import free_port, running_stack

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]
ADMIN_KEY = "affb_e2e-cli-" + uuid.uuid4().hex
CLI = str(Path(sys.executable).with_name("affbill"))


def affbill(url: str, *args: str, key: str = ADMIN_KEY, cwd: Path | None = None
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=300, cwd=cwd,
                          env={**os.environ, "AFFBILL_URL": url, "AFFBILL_API_KEY": key,
                               "COLUMNS": "250"}, check=False)


@pytest.fixture(scope="module")
def gateway(database_url: str, kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[str]:
    logs = tmp_path_factory.mktemp("e2e-cli")
    with running_stack(database_url, kafka_bootstrap, logs, ADMIN_KEY, SIMULATOR) as urls:
        yield urls["gateway"]


@pytest.fixture(scope="module")
def api(gateway: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=gateway + "/api/v1", timeout=60,
                      headers={"X-API-Key": ADMIN_KEY}) as client:
        yield client


@pytest.fixture(scope="module")
def run_output(gateway: str, api: httpx.Client) -> str:
    """`affbill sync standard`, then `affbill run --all` once the generator has the figures."""
    synced = affbill(gateway, "sync", "standard")
    assert synced.returncode == 0, synced.stderr
    assert "Job succeeded" in synced.stdout
    settled_generator(api)
    run = affbill(gateway, "run", "--all")
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout


def test_generator_shows_one_line_per_customer(gateway: str, api: httpx.Client,
                                               run_output: str) -> None:
    listed = ok(api.get("/generator", params={"page_size": 500}))
    shown = affbill(gateway, "generator", "--page-size", "500")
    assert shown.returncode == 0, shown.stderr
    assert f"Generator: {listed['customers']} customers" in shown.stdout
    for line in listed["lines"]:
        assert line["customer_id"] in shown.stdout


def test_run_all_follows_the_job_log_to_the_end(api: httpx.Client, run_output: str) -> None:
    assert run_output.startswith("Run accepted: job ")
    job_id = run_output.split()[3]
    job: dict[str, Any] = ok(api.get(f"/jobs/{job_id}"))
    created = job["counts"]["documents_created"]
    assert created >= 1
    assert run_output.count(" created for ") == created  # every "Document … created for …"
    assert "Run finished: " in run_output
    assert run_output.rstrip().endswith("Job succeeded")


def test_invoices_list_and_download(gateway: str, api: httpx.Client, run_output: str,
                                    tmp_path: Path) -> None:
    created = ok(api.get("/jobs", params={"kind": "batch_run"}))["items"][0]["counts"][
        "documents_created"]
    invoices = until(lambda: (b := ok(api.get("/invoices")))["total"] >= created
                     and b["items"], f"{created} rendered invoices", 300)
    listed = affbill(gateway, "invoices", "list")
    assert listed.returncode == 0, listed.stderr
    assert f"Invoices: {created}" in listed.stdout
    for invoice in invoices:
        assert invoice["number"] in listed.stdout and invoice["buyer_name"] in listed.stdout

    invoice_id = invoices[0]["invoice_id"]
    pdf = affbill(gateway, "invoices", "download", invoice_id, cwd=tmp_path)
    assert pdf.returncode == 0, pdf.stderr
    saved = tmp_path / f"{invoice_id}.pdf"
    assert f"Saved {saved.name}" in pdf.stdout
    assert saved.read_bytes().startswith(b"%PDF")
    xml = affbill(gateway, "invoices", "download", invoice_id, "--xml", "--out",
                  str(tmp_path / "invoice.xml"))
    assert xml.returncode == 0, xml.stderr
    assert b"CrossIndustryInvoice" in (tmp_path / "invoice.xml").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == [saved.name, "invoice.xml"]


def test_jobs_list_shows_the_sync_and_the_run(gateway: str, run_output: str) -> None:
    listed = affbill(gateway, "jobs", "list")
    assert listed.returncode == 0, listed.stderr
    assert "batch_run" in listed.stdout and "standard_sync" in listed.stdout


def test_a_wrong_key_and_a_missing_gateway_are_one_line_each(gateway: str) -> None:
    refused = affbill(gateway, "invoices", "list", key="affb_not-a-key")
    assert refused.returncode == 3
    assert refused.stderr.strip().startswith("affbill: The gateway refused the API key")
    nobody = affbill(f"http://127.0.0.1:{free_port()}", "jobs", "list")
    assert nobody.returncode == 2
    assert "Cannot reach the gateway" in nobody.stderr and len(nobody.stderr.splitlines()) == 1


def test_a_draft_preview_from_the_cli_and_the_api(gateway: str, api: httpx.Client,
                                                  run_output: str, tmp_path: Path) -> None:
    """`affbill drafts preview ID -o file.pdf` and GET /drafts/{id}/preview: the same PDF,
    watermarked DRAFT, without a number; the draft stays a draft."""
    import io

    from pypdf import PdfReader
    customer = until(lambda: ok(api.get("/invoices"))["items"], "a rendered invoice", 300
                     )[0]["customer_id"]  # a billed customer: it has a billing profile
    draft = ok(api.post("/drafts/custom", json={"customer_id": customer, "lines": [
        {"description": "Setup fee", "unit_price": "100.00"}]}), 201)
    saved = tmp_path / "draft.pdf"
    preview = affbill(gateway, "drafts", "preview", draft["draft_id"], "-o", str(saved))
    assert preview.returncode == 0, preview.stderr
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(saved.read_bytes())).pages)
    assert "DRAFT" in text and "Setup fee" in text and "(pending)" not in text
    over_api = api.get(f"/drafts/{draft['draft_id']}/preview")
    assert over_api.status_code == 200 and over_api.content == saved.read_bytes()
    assert ok(api.get(f"/drafts/{draft['draft_id']}"))["status"] == "draft"


def cli_json(gateway: str, *args: str) -> Any:
    import json
    done = affbill(gateway, *args, "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


def test_the_whole_manual_way_with_the_cli_alone(gateway: str, run_output: str,
                                                 tmp_path: Path) -> None:
    """Issue 18: cart a period → edit → discount → preview → Create → drill down → credit
    note, with `affbill` only; then every list's --json against its schema, and the tables
    at 80 columns."""
    from tests.cli_schemas import SCHEMAS
    billed = {i["customer_id"] for i in until(
        lambda: cli_json(gateway, "invoices", "list", "--limit", "500")["items"],
        "rendered invoices", 300)}
    lines = cli_json(gateway, "generator", "--page-size", "500")["lines"]
    line = next(x for x in lines if x["customer_id"] in billed and x["totals"][0]["items"])
    customer, period = line["customer_id"], line["totals"][0]["last_day"][:7]
    items = cli_json(gateway, "items", "--customer", customer, "--period", period,
                     "--page-size", "1000")
    open_ids = {i["item_id"] for i in items["items"] if not i.get("draft_id")}
    assert open_ids and items["total"] <= 1000

    draft = cli_json(gateway, "drafts", "create", "--customer", customer, "--period", period)
    did = draft["draft_id"]
    assert draft["items"] == len(open_ids) and draft["version"] == 1
    shown = affbill(gateway, "drafts", "show", did)
    assert "Presets" in shown.stdout and draft["lines"][0]["line_id"] in shown.stdout
    ok_run = affbill(gateway, "drafts", "edit", did, "--set", "intro_text=As agreed by phone",
                     "--version", "1")
    assert ok_run.returncode == 0, ok_run.stderr
    discounted = affbill(gateway, "drafts", "discount", did, "1.00", "--reason", "Loyalty",
                         "--version", "2")
    assert discounted.returncode == 0, discounted.stderr
    assert "Document allowance 0: 1.00" in discounted.stdout
    saved = tmp_path / "draft.pdf"
    preview = affbill(gateway, "drafts", "preview", did, "-o", str(saved))
    assert preview.returncode == 0, preview.stderr
    assert saved.read_bytes().startswith(b"%PDF")
    unsure = affbill(gateway, "drafts", "issue", did)
    assert unsure.returncode == 2 and "--latest" in unsure.stderr
    issued = affbill(gateway, "drafts", "issue", did, "--version", "3")
    assert issued.returncode == 0, issued.stderr
    number = issued.stdout.split()[1]
    invoice_id = issued.stdout.strip().rsplit("(", 1)[1].rstrip(")")

    invoice_lines = cli_json(gateway, "invoices", "show", invoice_id, "--lines")
    assert sum(x["items"] for x in invoice_lines["items"]) == len(open_ids)
    first = cli_json(gateway, "invoices", "show", invoice_id, "--items", "--line", "1")
    assert first["items"] and {i["state"] for i in first["items"]} == {"invoiced"}
    rows = cli_json(gateway, "items", first["items"][0]["item_id"])
    assert rows["total"] >= 1 and rows["item"]["item_id"] == first["items"][0]["item_id"]

    credit = affbill(gateway, "invoices", "credit", invoice_id, "--amount", "0.50",
                     "--reason", "Disputed conversions")
    assert credit.returncode == 0, credit.stderr
    note_number = credit.stdout.split()[2]
    def both_rendered() -> set[str]:
        listed = cli_json(gateway, "invoices", "list", "--limit", "500")["items"]
        done = {i["number"] for i in listed if i["number"] in (number, note_number)
                and i.get("valid")}
        return done if len(done) == 2 else set()

    assert until(both_rendered, "the invoice and its credit note rendered", 300) == {
        number, note_number}

    answers = {"generator": ("generator",), "invoices": ("invoices", "list"),
               "drafts": ("drafts", "list"), "jobs": ("jobs", "list"),
               "keys": ("keys", "list"), "customers": ("customers", "list"),
               "periods": ("periods",), "entities": ("entities", "list"),
               "series": ("series", "list"), "audit": ("audit", "list"),
               "rates": ("rates", "show")}
    for schema, args in answers.items():
        SCHEMAS[schema].validate_python(cli_json(gateway, *args))
    for schema, body in (("items", items), ("lines", invoice_lines), ("items", first),
                         ("stat_rows", rows)):
        SCHEMAS[schema].validate_python(body)

    for args in (("invoices", "list"), ("generator",), ("jobs", "list"), ("drafts", "list")):
        narrow = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=120,
                                env={**os.environ, "AFFBILL_URL": gateway,
                                     "AFFBILL_API_KEY": ADMIN_KEY, "COLUMNS": "80"},
                                check=False)
        assert narrow.returncode == 0, narrow.stderr
        assert all(len(x.rstrip()) <= 80 for x in narrow.stdout.splitlines()), narrow.stdout
        assert "…" not in narrow.stdout
    narrow_invoices = affbill(gateway, "invoices", "list", "--number", number)
    assert number in narrow_invoices.stdout
