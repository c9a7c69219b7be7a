"""HTTP routes of the jobs service: the job log, a job, and following its lines."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from affbill_contracts.bounds import MAX_OFFSET
from affbill_contracts.jobs import JobKind, LogLevel
from affbill_contracts.wire import Timestamp
from affbill_jobs.adapters import queries
from affbill_jobs.domain import cursor as cursors
from affbill_jobs.domain.model import Status
from affbill_jobs.service_layer import reading
from affbill_runtime.problems import problem
from affbill_runtime.runtime import Runtime

MAX_WAIT_S = 30
JSON_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS  # column names are str subclasses


class Line(BaseModel):
    time: Timestamp = Field(description="When the line was produced.")
    level: LogLevel = Field(description="Severity.")
    service: str = Field(description="Service that wrote it.", examples=["billing"])
    text: str = Field(description="The line.",
                      examples=["Document INV-2026-00042 created for Acme"])
    trace_id: str | None = Field(
        default=None, description="OpenTelemetry trace id (32 hex digits) of the work that "
        "wrote the line, to find its spans; null when tracing was off.",
        examples=["4bf92f3577b34da6a3ce929d0e0e4736"])


class LinePage(BaseModel):
    items: list[Line]
    next: str = Field(description="Cursor for the lines after these (`?after=`).")
    finished: bool = Field(description="The job finished and no line is left after `next`.")
    total: int = Field(description="Lines the job has now.")


class Step(BaseModel):
    service: str
    step: str = Field(examples=["customers"])
    done: int
    total: int | None
    counters: dict[str, int]


class Job(BaseModel):
    job_id: uuid.UUID
    kind: JobKind | None = Field(description="None until a queued or started event arrived.")
    title: str | None
    started_by: str | None
    status: Status
    requested_at: Timestamp = Field(description="Its earliest event.")
    started_at: Timestamp | None
    finished_at: Timestamp | None
    counts: dict[str, int] = Field(description="Totals reported at the end (summed over services).")
    reason: str | None = Field(description="Why it failed.")
    line_count: int = Field(description="Log lines the job has.")


class JobPage(BaseModel):
    items: list[Job]
    total: int
    limit: int
    offset: int


class JobDetail(Job):
    progress: list[Step] = Field(description="Latest progress of each step, first reported first.")
    lines: LinePage = Field(description="The first lines, in the order they were produced.")


def _request_id(request: Request) -> dict[str, str]:
    given = request.headers.get("x-request-id")
    return {"request_id": given} if given else {}


def _not_found(request: Request, job_id: uuid.UUID) -> JSONResponse:
    return problem(404, "Job not found", f"No job with id {job_id}", **_request_id(request))


def _bad_cursor(request: Request, reason: str) -> JSONResponse:
    return problem(422, "Invalid request", f"after: {reason}",
                   errors=[{"field": "after", "reason": reason}], **_request_id(request))


def _json(body: Any) -> Response:
    """The body as JSON without a second validation (the models above document it)."""
    return Response(orjson.dumps(body, default=str, option=JSON_OPTIONS),
                    media_type="application/json")


def _page(lines: reading.Lines) -> dict[str, Any]:
    return {"items": lines.items, "next": cursors.encode(lines.next),
            "finished": lines.finished, "total": lines.total}


def build_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(tags=["jobs"])
    settings = runtime.state.settings

    @router.get("/jobs", response_model=JobPage)
    async def list_jobs(kind: JobKind | None = None, status: Status | None = None,
                        started_by: str | None = None,
                        limit: Annotated[int, Query(ge=1, le=500)] = 50,
                        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0) -> Any:
        async with runtime.engine.connect() as conn:
            items, total = await queries.list_jobs(
                conn, kind=kind and kind.value, status=status and status.value,
                started_by=started_by, limit=limit, offset=offset)
        return _json({"items": items, "total": total, "limit": limit, "offset": offset})

    @router.get("/jobs/{job_id}", response_model=JobDetail,
                responses={404: {"description": "No such job (problem+json)"}})
    async def get_job(job_id: uuid.UUID, request: Request) -> Any:
        try:
            job = await reading.job_detail(runtime.engine, job_id, settings.first_lines)
        except reading.UnknownJob:
            return _not_found(request, job_id)
        return _json({**job, "lines": _page(job["lines"])})

    @router.get("/jobs/{job_id}/lines", response_model=LinePage,
                responses={404: {"description": "No such job (problem+json)"}})
    async def follow_lines(
            job_id: uuid.UUID, request: Request,
            after: Annotated[str | None, Query(
                max_length=200, description="The `next` of a previous answer; "
                "none: from the first line.")] = None,
            limit: Annotated[int, Query(ge=1, le=500)] = 100,
            wait: Annotated[float, Query(ge=0, le=MAX_WAIT_S, allow_inf_nan=False, description=(
                "Seconds to wait for new lines (long poll) when none are there."))] = 0,
    ) -> Any:
        try:
            lines = await reading.follow_lines(
                runtime.engine, runtime.state.board, job_id, reading.parse_cursor(after),
                limit, wait, settings.follow_poll_s)
        except reading.UnknownJob:
            return _not_found(request, job_id)
        except reading.BadCursor as exc:
            return _bad_cursor(request, str(exc))
        return _json(_page(lines))

    return router
