"""Runs ("Process selected"): the gateway sends billing the clerk's selection and answers
at once; billing resolves the selection (e.g. "all customers") when the run starts."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from affbill_contracts import topics
from affbill_contracts.billing import CustomerKind, DueDateBasis, InvoiceDateRule, ProcessSelected
from affbill_contracts.envelope import Envelope
from affbill_contracts.jobs import JobKind, JobQueued
from affbill_runtime.db import UnitOfWork
from affbill_runtime.jobs import next_seq

SERVICE = "gateway"


class NothingToBill(Exception):
    pass


async def request_run(uow: UnitOfWork, *, customer_ids: list[str], item_ids: list[uuid.UUID],
                      period_end: dt.date | None, requested_by: str, title: str,
                      all_customers: bool = False, currency: str | None = None,
                      customer_kind: CustomerKind | None = None,
                      account_manager_id: str | None = None,
                      period_start: dt.date | None = None,
                      invoice_date_rule: InvoiceDateRule | None = None,
                      due_date_basis: DueDateBasis | None = None,
                      force_reason: str | None = None, dry_run: bool = False) -> uuid.UUID:
    """Put ProcessSelected on billing.requests and the queued job on jobs.events (one outbox
    transaction); the job id is the run id."""
    job_id = uuid.uuid4()
    command = ProcessSelected(run_id=job_id, all_customers=all_customers,
                              customer_ids=customer_ids, item_ids=item_ids,
                              period_start=period_start, period_end=period_end,
                              invoice_date_rule=invoice_date_rule,
                              due_date_basis=due_date_basis, force_reason=force_reason,
                              dry_run=dry_run,
                              currency=currency,
                              customer_kind=customer_kind,
                              account_manager_id=account_manager_id, requested_by=requested_by)
    queued = JobQueued(service=SERVICE, seq=next_seq(), kind=JobKind.BATCH_RUN, title=title,
                       requested_by=requested_by)
    async with uow:
        uow.publish(topics.BILLING_REQUESTS, str(job_id), Envelope.wrap(command, job_id=job_id))
        uow.publish(topics.JOBS_EVENTS, str(job_id), Envelope.wrap(queued, job_id=job_id))
        await uow.commit()
    return job_id


async def check_something_to_bill(fetch: Callable[[dict[str, Any]], Awaitable[Any]],
                                  period_end: dt.date | None, currency: str | None = None,
                                  account_manager_id: str | None = None,
                                  customer_kind: str | None = None) -> None:
    """"Select all" needs a customer in the generator now: one line of its first page under
    the same filters tells (billing resolves the whole list itself). Raises NothingToBill.

    Accepts the generator's page/page_size answer ({"lines", "customers"}) and the
    limit/offset one of api.md ({"items", "total"}).
    """
    params: dict[str, Any] = {"page": 1, "page_size": 1, "limit": 1, "offset": 0}
    if period_end:
        params["period_to"] = period_end.isoformat()
    if currency:
        params["currency"] = currency
    if account_manager_id:
        params["account_manager"] = account_manager_id
    if customer_kind:  # the affiliates' generator (billing lists the advertisers' by default)
        params["kind"] = str(customer_kind)
    body = await fetch(params)
    if not body.get("items", body.get("lines")):
        raise NothingToBill()
