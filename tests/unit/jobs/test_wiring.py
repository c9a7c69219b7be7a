"""The jobs service's documents: AsyncAPI (what it consumes) and OpenAPI (its routes)."""

from __future__ import annotations

from affbill_contracts import topics
from affbill_jobs.entrypoints.app import create_app
from affbill_jobs.entrypoints.asyncapi import asyncapi


def test_asyncapi_names_the_job_events_it_consumes() -> None:
    doc = asyncapi().schema.to_specification().to_jsonable()
    [channel] = doc["channels"].values()
    assert channel["address"] == topics.JOBS_EVENTS
    assert "JobQueued" in str(doc["operations"]) or "JobQueued" in str(doc)


def test_openapi_has_the_agreed_routes() -> None:
    paths = create_app().openapi()["paths"]
    assert {"/jobs", "/jobs/{job_id}", "/jobs/{job_id}/lines"} <= set(paths)
    lines = {p["name"] for p in paths["/jobs/{job_id}/lines"]["get"]["parameters"]}
    assert lines == {"job_id", "after", "limit", "wait"}
    listing = {p["name"] for p in paths["/jobs"]["get"]["parameters"]}
    assert listing == {"kind", "status", "started_by", "limit", "offset"}
