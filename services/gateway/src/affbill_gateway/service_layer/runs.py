"""Runs ("Process selected"): the gateway sends billing the command and answers at once."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from affbill_contracts import topics
from affbill_contracts.billing import ProcessSelected
from affbill_contracts.envelope import Envelope
from affbill_contracts.jobs import JobKind, JobQueued
from affbill_runtime.db import UnitOfWork
from affbill_runtime.jobs import next_seq

PAGE = 500
SERVICE = "gateway"


class NothingToBill(Exception):
    pass


async def request_run(uow: UnitOfWork, *, customer_ids: list[str], item_ids: list[uuid.UUID],
                      period_end: dt.date | None, requested_by: str, title: str) -> uuid.UUID:
    """Put ProcessSelected on billing.requests and the queued job on jobs.events (one outbox
    transaction); the job id is the run id."""
    job_id = uuid.uuid4()
    command = ProcessSelected(run_id=job_id, customer_ids=customer_ids, item_ids=item_ids,
                              period_end=period_end, requested_by=requested_by)
    queued = JobQueued(service=SERVICE, seq=next_seq(), kind=JobKind.BATCH_RUN, title=title,
                       requested_by=requested_by)
    async with uow:
        uow.publish(topics.BILLING_REQUESTS, str(job_id), Envelope.wrap(command, job_id=job_id))
        uow.publish(topics.JOBS_EVENTS, str(job_id), Envelope.wrap(queued, job_id=job_id))
        await uow.commit()
    return job_id


async def generator_customers(fetch: Callable[[dict[str, Any]], Awaitable[Any]],
                              period_end: dt.date | None) -> list[str]:
    """Every customer in the generator now ("select all"), read page by page.

    Accepts the generator's page/page_size answer ({"lines", "customers"}) and the
    limit/offset one of api.md ({"items", "total"}), so it keeps working either way.
    """
    chosen: dict[str, None] = {}  # ordered, and fast to test at 10,000s
    page = 1
    while True:
        params: dict[str, Any] = {"page": page, "page_size": PAGE, "limit": PAGE,
                                  "offset": (page - 1) * PAGE}
        if period_end:
            params["period_to"] = period_end.isoformat()
        body = await fetch(params)
        lines = body.get("items", body.get("lines", []))
        chosen.update((line["customer_id"], None) for line in lines)
        total = body.get("total", body.get("customers", 0))
        if not lines or len(chosen) >= total:
            break
        page += 1
    if not chosen:
        raise NothingToBill()
    return list(chosen)
