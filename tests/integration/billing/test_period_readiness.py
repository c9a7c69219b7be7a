"""Period close on data completeness: GET /periods shows ready or not per connector; a run
for a period that is not ready is refused unless forced, and the job log says who forced
it and why."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
import pytest
from sqlalchemy import text

from affbill_billing.service_layer import ingest, runs
from affbill_contracts import Envelope, ProcessSelected, SyncSucceeded, topics
from affbill_runtime.runtime import Runtime
from tests.integration.billing.conftest import outbox
from tests.integration.billing.test_run_periods import TODAY, customer_over_days, open_days

pytestmark = pytest.mark.integration
NOVEMBER = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def synced(connector: str, started: str, window: tuple[dt.date, dt.date] = (
        dt.date(2026, 11, 1), TODAY)) -> Envelope[SyncSucceeded]:
    at = dt.datetime.fromisoformat(started).replace(tzinfo=dt.UTC)
    return Envelope.wrap(SyncSucceeded(connector=connector, scope="standard",
                                       date_from=window[0], date_to=window[1], started_at=at,
                                       finished_at=at + dt.timedelta(minutes=3)),
                         job_id=uuid.uuid4())


def run(customer: str, force: str | None = None) -> Envelope[ProcessSelected]:
    return Envelope.wrap(ProcessSelected(run_id=uuid.uuid4(), customer_ids=[customer],
                                         requested_by="anna", force_reason=force))


async def job_lines(billing: Runtime, job_id: uuid.UUID) -> list[tuple[str, str]]:
    return [(e.payload.level, e.payload.text) for e in await outbox(billing, topics.JOBS_EVENTS)
            if e.type == "jobs.job.log" and e.job_id == job_id]


async def finished(billing: Runtime, job_id: uuid.UUID) -> object:
    [end] = [e.payload for e in await outbox(billing, topics.JOBS_EVENTS)
             if e.type == "jobs.job.finished" and e.job_id == job_id]
    return end


async def test_a_run_on_an_unready_period_needs_force(billing: Runtime) -> None:
    settings = billing.settings.model_copy(update={"runs_need_ready_period": True})
    customer = await customer_over_days(billing)
    connector = customer.split(":")[0]
    # a sync that started before November + 24 h was over: not ready
    await ingest.apply_sync_outcomes(billing.uow(), [synced(connector, "2026-12-01T12:00:00")])

    refused = run(customer)
    assert await runs.process_selected(billing.uow, refused, settings, TODAY) == {
        "already_done": True}
    end = await finished(billing, refused.payload.run_id)
    assert end.status == "failed" and end.reason.startswith(
        f"Period 2026-11-01..2026-11-30 is not ready: no successful sync of {connector} that "
        "read its days and started after 2026-12-02 00:00 UTC")
    assert len(await open_days(billing, customer)) == 6  # nothing billed
    async with billing.engine.connect() as conn:
        assert await conn.scalar(text("select status from runs where run_id = :r"),
                                 {"r": refused.payload.run_id}) == "refused"

    forced = run(customer, force="Adtracker outage; figures confirmed by phone")
    counts = await runs.process_selected(billing.uow, forced, settings, TODAY)
    assert counts["documents_created"] == 1
    assert ("warning", f"Period 2026-11-01..2026-11-30 is not ready: no successful sync of "
            f"{connector} that read its days and started after 2026-12-02 00:00 UTC. Forced "
            "by anna: Adtracker outage; figures confirmed by phone") in await job_lines(
        billing, forced.payload.run_id)
    assert (await finished(billing, forced.payload.run_id)).status == "succeeded"


async def test_a_ready_period_bills_without_force_and_the_api_shows_it(
        billing: Runtime, api: httpx.AsyncClient) -> None:
    settings = billing.settings.model_copy(update={"runs_need_ready_period": True})
    customer = await customer_over_days(billing)
    connector = customer.split(":")[0]
    await ingest.apply_sync_outcomes(billing.uow(), [synced(connector, "2026-12-02T06:00:00")])
    again = synced(connector, "2026-12-02T06:00:00")
    await ingest.apply_sync_outcomes(billing.uow(), [again, again])  # redelivered: kept once

    answer = (await api.get("/periods", params={"frequency": "monthly", "count": 2,
                                                   "before": str(TODAY)})).json()
    november = next(p for p in answer["items"] if p["start"] == "2026-11-01")
    assert november["ready"] is True
    assert {"connector": connector, "ready": True,
            "synced_at": "2026-12-02T06:00:00Z"} in november["connectors"]
    october = next(p for p in answer["items"] if p["start"] == "2026-10-01")
    assert october["ready"] is False  # this sync did not read October's days

    ready = run(customer)
    counts = await runs.process_selected(billing.uow, ready, settings, TODAY)
    assert counts["documents_created"] == 1
    assert not [t for level, t in await job_lines(billing, ready.payload.run_id)
                if "not ready" in t]
    bad = await api.get("/periods", params={"frequency": "fortnightly"})
    assert bad.status_code == 422
