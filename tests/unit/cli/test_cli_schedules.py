"""`affbill schedules …` against a fake gateway."""

from __future__ import annotations

import httpx

from tests.unit.cli.test_cli import FakeGateway, invoke

SCHEDULE = {"schedule_id": "monthly-advertisers", "frequency": "monthly", "delay_days": 2,
            "hour": 6, "customer_kind": "advertiser", "currency": None,
            "account_manager_id": None, "paused": False, "paused_reason": None,
            "next_run": {"period_start": "2026-11-01", "period_end": "2026-11-30",
                         "due_at": "2026-12-03T05:00:00+00:00"}}
WAITING = {"schedule_id": "monthly-advertisers", "period_start": "2026-10-01",
           "period_end": "2026-10-31", "run_id": "5d2e8f4a-0c1b-4a7e-9f3d-2b6c8e1a4f70",
           "status": "waiting", "waiting_for": "Period 2026-10-01..2026-10-31 is not ready: "
           "no successful sync of hasoffers-sim", "started_at": None, "run_status": None}


def test_schedules_list_shows_next_runs_waiting_runs_and_the_leader() -> None:
    gateway = FakeGateway({("GET", "/api/v1/schedules"): {
        "time_zone": "Europe/Berlin", "items": [SCHEDULE], "runs": [WAITING],
        "leader": {"holder": "billing-1:42:ab12cd34", "since": "2026-12-01T00:00:00Z"}}})
    result = invoke(gateway, "schedules", "list")
    assert result.exit_code == 0, result.output
    for text in ("monthly-advertisers", "2 d after, 06:00", "advertiser",
                 "2026-11-01..2026-11-30", "waiting: Period 2026-10-01..2026-10-31 is not",
                 "Leader: billing-1:42:ab12cd34"):
        assert text in result.output


def test_schedules_create_pause_resume_send_what_was_asked() -> None:
    gateway = FakeGateway({
        ("POST", "/api/v1/schedules"): SCHEDULE,
        ("PATCH", "/api/v1/schedules/monthly-advertisers"): [
            httpx.Response(200, json={**SCHEDULE, "paused": True, "paused_reason": "Year end"}),
            httpx.Response(200, json=SCHEDULE)]})
    assert invoke(gateway, "schedules", "create", "monthly-advertisers", "--frequency",
                  "monthly", "--delay-days", "2", "--hour", "6", "--customer-kind",
                  "advertiser").exit_code == 0
    assert gateway.body(0) == {"schedule_id": "monthly-advertisers", "frequency": "monthly",
                               "delay_days": 2, "hour": 6, "customer_kind": "advertiser"}
    paused = invoke(gateway, "schedules", "pause", "monthly-advertisers", "--reason", "Year end")
    assert "paused: Year end" in paused.output
    assert gateway.body(1) == {"paused_reason": "Year end"}
    assert invoke(gateway, "schedules", "resume", "monthly-advertisers").exit_code == 0
    assert gateway.body(2) == {"resume": True}


def test_a_refused_schedule_is_one_line() -> None:
    refused = FakeGateway({("POST", "/api/v1/schedules"): [httpx.Response(409, json={
        "title": "Refused", "status": 409, "detail": "A schedule 'm' exists already"})]})
    result = invoke(refused, "schedules", "create", "m", "--frequency", "monthly")
    assert result.exit_code != 0 and "exists already" in result.output
    assert "Traceback" not in result.output
