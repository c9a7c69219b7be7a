"""Every service's AsyncAPI document is generated from code by `faststream docs gen`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from affbill_contracts import topics

EXPECTED = {
    "sync": {topics.SYNC_REQUESTS, topics.ADTRACKER_STATS, topics.ADTRACKER_ADVERTISERS,
             topics.ADTRACKER_CONVERSIONS, topics.JOBS_EVENTS},
    "billing": {topics.BILLING_INVOICES, topics.JOBS_EVENTS},
    "documents": {topics.DOCUMENTS_RENDERED, topics.JOBS_EVENTS},
    "jobs": set(),
    "gateway": {topics.SYNC_REQUESTS, topics.BILLING_REQUESTS},
}


@pytest.mark.parametrize("service", sorted(EXPECTED))
def test_asyncapi_document_builds(service: str, tmp_path: Path) -> None:
    out = tmp_path / "asyncapi.json"
    subprocess.run(
        [sys.executable, "-m", "faststream", "docs", "gen", "--factory", "--out", str(out),
         f"affbill_{service}.entrypoints.asyncapi:asyncapi"],
        check=True, capture_output=True, timeout=120,
    )
    doc = json.loads(out.read_text())
    assert doc["asyncapi"].startswith("3.")
    assert doc["info"]["title"] == f"affbill {service}"
    addresses = {c["address"] for c in doc.get("channels", {}).values()}
    assert EXPECTED[service] <= addresses
    if EXPECTED[service]:
        schemas = json.dumps(doc["components"]["schemas"])
        assert "event_id" in schemas and "schema_version" in schemas
