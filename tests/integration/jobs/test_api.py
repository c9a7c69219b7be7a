"""The job log's HTTP API: filters, paging, and problems for bad input and unknown jobs."""

from __future__ import annotations

import uuid

import httpx
import pytest

from affbill_runtime.runtime import Runtime
from tests.integration.jobs.conftest import Story, record

pytestmark = pytest.mark.integration


async def test_filters_and_paging(jobs_runtime: Runtime, api: httpx.AsyncClient) -> None:
    stories = [Story() for _ in range(7)]
    who = f"bea-{uuid.uuid4().hex[:6]}"
    for i, s in enumerate(stories):
        kind = "standard_sync" if i % 2 else "batch_run"
        events = [s.queued(i, by=who, kind=kind)]
        if i >= 2:
            events.append(s.started(i + 0.5, 1, kind=kind, by=who))
        if i >= 4:
            events.append(s.finished(i + 0.9, 2, status="failed" if i == 6 else "succeeded",
                                     reason="adtracker said 401" if i == 6 else None))
        await record(jobs_runtime, *events)
    newest_first = [str(s.job_id) for s in reversed(stories)]

    every = (await api.get("/jobs", params={"started_by": who})).json()
    assert [j["job_id"] for j in every["items"]] == newest_first
    assert (every["total"], every["limit"], every["offset"]) == (7, 50, 0)
    page = (await api.get("/jobs", params={"started_by": who, "limit": 3, "offset": 3})).json()
    assert [j["job_id"] for j in page["items"]] == newest_first[3:6] and page["total"] == 7
    by = {status: [j["job_id"] for j in (await api.get("/jobs", params={
        "started_by": who, "status": status})).json()["items"]]
        for status in ("queued", "running", "succeeded", "failed")}
    assert by == {"queued": newest_first[5:], "running": newest_first[3:5],
                  "succeeded": newest_first[1:3], "failed": newest_first[:1]}
    syncs = (await api.get("/jobs", params={"started_by": who, "kind": "standard_sync"})).json()
    assert syncs["total"] == 3
    failed = (await api.get(f"/jobs/{stories[6].job_id}")).json()
    assert (failed["status"], failed["reason"]) == ("failed", "adtracker said 401")
    assert failed["lines"] == {"items": [], "next": "0", "finished": True, "total": 0}


@pytest.mark.parametrize(("path", "params", "field"), [
    ("/jobs", {"status": "done"}, "status"),
    ("/jobs", {"kind": "nightly"}, "kind"),
    ("/jobs", {"limit": 501}, "limit"),
    ("/jobs", {"offset": -1}, "offset"),
    ("/jobs/not-a-uuid", {}, "job_id"),
    ("/jobs/{job}/lines", {"wait": 31}, "wait"),
    ("/jobs/{job}/lines", {"limit": 0}, "limit"),
    ("/jobs/{job}/lines", {"after": "p!!"}, "after"),
    ("/jobs/{job}/lines", {"after": "99"}, "after"),  # beyond the job's lines
])
async def test_bad_input_is_a_problem_naming_the_field(
        jobs_runtime: Runtime, api: httpx.AsyncClient, path: str, params: dict, field: str
) -> None:
    s = Story()
    await record(jobs_runtime, s.started(0, 1), s.line(1, 2, "x"))
    response = await api.get(path.format(job=s.job_id), params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert field in {e["field"].split(".")[-1] for e in response.json()["errors"]}


@pytest.mark.parametrize("path", ["/jobs/{job}", "/jobs/{job}/lines"])
async def test_an_unknown_job_is_404_problem(api: httpx.AsyncClient, path: str) -> None:
    job = uuid.uuid4()
    response = await api.get(path.format(job=job), headers={"X-Request-Id": "req-42"},
                             params={"wait": 1} if path.endswith("lines") else {})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert (body["status"], body["title"], body["request_id"]) == (404, "Job not found", "req-42")
    assert str(job) in body["detail"]
