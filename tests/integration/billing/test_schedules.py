"""Schedules through billing's API and its leader's round: a due period waits (visibly, in
the job log and on the schedule) until it is ready, then its run starts once, is executed
as a normal run and job, and gives drafts to profiles with drafts by default."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
import pytest
from sqlalchemy import text

from affbill_billing.domain.periods import BillingPeriod
from affbill_billing.domain.schedules import run_id_of
from affbill_billing.service_layer import ingest, scheduled_runs, work_items
from affbill_contracts import topics
from affbill_runtime.runtime import Runtime
from tests.integration.billing.conftest import customer_with_items, outbox
from tests.integration.billing.test_period_readiness import job_lines, synced

pytestmark = pytest.mark.integration
OCTOBER = BillingPeriod(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
NOW = dt.datetime(2026, 11, 5, 8, 0, tzinfo=dt.UTC)  # October is over, November is not


async def test_a_due_period_waits_for_readiness_then_runs_once(
        billing: Runtime, api: httpx.AsyncClient) -> None:
    settings = billing.settings.model_copy(update={"runs_need_ready_period": True})
    c1, invoiced = await customer_with_items(billing)
    c2, drafted = await customer_with_items(billing)
    async with billing.engine.begin() as conn:
        await conn.execute(text("update billing_profiles set drafts_by_default = true "
                                "where customer_id = :c"), {"c": drafted})
    made = await api.post("/schedules", headers={"X-Affbill-User": "anna"}, json={
        "schedule_id": "monthly-advertisers", "frequency": "monthly", "delay_days": 2,
        "hour": 6, "first_period": "2026-10", "customer_kind": "advertiser"})
    assert made.status_code == 201, made.text
    assert made.json()["first_period_start"] == "2026-10-01"
    run_id = run_id_of("monthly-advertisers", OCTOBER)

    # due on 3 November 06:00; before that nothing happens
    assert await scheduled_runs.start_due_runs(
        billing.uow, settings, "leader-a", dt.datetime(2026, 11, 3, 5, 59, tzinfo=dt.UTC)) == 0
    assert (await api.get("/schedules")).json()["runs"] == []
    # due, not ready: it waits, and says why once
    for _ in range(2):
        assert await scheduled_runs.start_due_runs(billing.uow, settings, "leader-a", NOW) == 0
    waiting = (await api.get("/schedules/monthly-advertisers")).json()["runs"]
    assert [(r["status"], r["period_start"], r["run_id"]) for r in waiting] == [
        ("waiting", "2026-10-01", str(run_id))]
    assert waiting[0]["waiting_for"].startswith("Period 2026-10-01..2026-10-31 is not ready")
    lines = await job_lines(billing, run_id)
    assert lines == [("info", "Waiting: " + waiting[0]["waiting_for"])]

    await ingest.apply_sync_outcomes(billing.uow(), [
        synced(c, "2026-11-04T06:00:00", (OCTOBER.start, OCTOBER.end)) for c in (c1, c2)])
    assert await scheduled_runs.start_due_runs(billing.uow, settings, "leader-a", NOW) == 1
    # a second leader for a moment, and the next rounds: nothing starts twice
    assert await scheduled_runs.start_due_runs(billing.uow, settings, "leader-b", NOW) == 0
    assert await scheduled_runs.start_due_runs(billing.uow, settings, "leader-a", NOW) == 0
    async with billing.engine.connect() as conn:
        [(command,)] = (await conn.execute(text(
            "select command from work_items where subject = :r"), {"r": run_id})).all()
    await work_items.execute_command(billing.uow, bytes(command), settings)

    async with billing.engine.connect() as conn:
        documents = (await conn.execute(text(
            "select customer_id, status, period_start, period_end from invoices "
            "where run_id = :r order by customer_id"), {"r": run_id})).all()
    assert {(d.customer_id, d.status) for d in documents} == {
        (invoiced, "issued"), (drafted, "draft")}  # drafts by default: never unreviewed
    assert {(d.period_start, d.period_end) for d in documents if d.status == "issued"} == {
        (OCTOBER.start, OCTOBER.end)}
    shown = (await api.get("/schedules")).json()
    assert [(r["status"], r["run_status"], r["started_by"]) for r in shown["runs"]] == [
        ("started", "finished", "leader-a")]
    [schedule] = shown["items"]
    assert schedule["next_run"]["period_start"] >= "2026-11-01"
    started = [e for e in await outbox(billing, topics.JOBS_EVENTS)
               if e.job_id == run_id and e.type == "jobs.job.started"]
    assert started[0].payload.title == ("Scheduled run monthly-advertisers: monthly period "
                                        "2026-10-01..2026-10-31")
    assert any(t.startswith("Run finished: 1 document created, 1 draft created")
               for _, t in await job_lines(billing, run_id))


async def test_paused_schedules_wait_and_changes_are_checked(
        billing: Runtime, api: httpx.AsyncClient) -> None:
    user = {"X-Affbill-User": "anna"}
    await customer_with_items(billing)
    made = await api.post("/schedules", headers=user, json={
        "schedule_id": "weekly", "frequency": "weekly", "first_period": "2026-W40"})
    assert made.status_code == 201, made.text
    again = await api.post("/schedules", headers=user, json={
        "schedule_id": "weekly", "frequency": "monthly"})
    assert again.status_code == 409
    bad = await api.patch("/schedules/weekly", headers=user, json={"delay_days": 61})
    assert bad.status_code == 422 and "delay_days" in bad.text
    paused = await api.patch("/schedules/weekly", headers=user, json={
        "paused_reason": "Year-end closing", "version": 1})
    assert paused.status_code == 200, paused.text
    assert paused.json()["paused"] is True and paused.json()["next_run"] is None
    assert await scheduled_runs.start_due_runs(billing.uow, billing.settings, "l", NOW) == 0
    stale = await api.patch("/schedules/weekly", headers=user, json={"resume": True,
                                                                      "version": 1})
    assert stale.status_code == 409
    resumed = await api.patch("/schedules/weekly", headers=user, json={"resume": True})
    assert resumed.json()["paused"] is False and resumed.json()["version"] == 3
    assert await scheduled_runs.start_due_runs(billing.uow, billing.settings, "l", NOW) == 1
    assert (await api.get(f"/schedules/{uuid.uuid4().hex}")).status_code == 404
