"""Jobs: the job log list, and one job with its progress and live log (htmx polls the
`live` fragment every two seconds until the job has finished; without JavaScript the page
shows the same and a Refresh link)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from affbill_gateway.entrypoints.web.api import Api, ApiProblem
from affbill_gateway.entrypoints.web.render import page
from affbill_gateway.entrypoints.web.session import Reader, api_for

FINISHED = ("succeeded", "succeeded_with_warnings", "failed", "cancelled")
KINDS = ("standard_sync", "partial_sync", "batch_run", "bulk_issue", "issue", "cancellation",
         "credit_note", "rendering")
Word = Annotated[str | None, Query(max_length=50)]


async def job_with_lines(api: Api, job_id: uuid.UUID) -> dict[str, Any]:
    """The job, its progress and its log lines (the first 500: a run's log is shorter).
    A job just requested is not in the job log yet: it shows as queued, and is followed."""
    try:
        job = await api.get(f"/jobs/{job_id}")
    except ApiProblem as exc:
        if exc.status != 404:
            raise
        return {"job_id": str(job_id), "status": "queued", "title": "Starting …",
                "kind": "", "log": [], "more": False, "finished": False, "progress": [],
                "counts": {}}
    lines = await api.get(f"/jobs/{job_id}/lines", limit=500)
    job["log"] = lines["items"]
    job["more"] = lines["total"] > len(lines["items"])
    job["finished"] = job["status"] in FINISHED
    return job


def build_router() -> APIRouter:
    router = APIRouter(prefix="/ui/jobs", include_in_schema=False)

    @router.get("")
    async def jobs(request: Request, user: Reader, kind: Word = None, status: Word = None,
                   page_no: Annotated[int, Query(alias="page", ge=1)] = 1) -> Response:
        body = await api_for(request, user).get("/jobs", kind=kind, status=status, limit=50,
                                                offset=(page_no - 1) * 50)
        return page(request, "jobs.html", active="jobs", title="Jobs", body=body,
                    kind=kind or "", status=status or "", kinds=KINDS,
                    statuses=("queued", "running", *FINISHED), page_no=page_no,
                    pages=max(1, -(-body["total"] // 50)))

    @router.get("/{job_id}")
    async def job(request: Request, user: Reader, job_id: uuid.UUID) -> Response:
        found = await job_with_lines(api_for(request, user), job_id)
        return page(request, "job.html", active="jobs", title=found.get("title") or "Job",
                    job=found)

    @router.get("/{job_id}/live")
    async def live(request: Request, user: Reader, job_id: uuid.UUID) -> Response:
        found = await job_with_lines(api_for(request, user), job_id)
        return page(request, "_job_live.html", job=found)

    return router
