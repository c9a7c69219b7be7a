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
