"""`affbill rates …` against a fake gateway."""

from __future__ import annotations

import httpx

from tests.unit.cli.test_cli import FakeGateway, invoke

DAY = {"date": "2026-11-29", "rates": [
    {"base": "EUR", "currency": "GBP", "rate": "0.86905", "rate_date": "2026-11-27",
     "source": "ecb", "entered_by": None, "reason": None},
    {"base": "EUR", "currency": "USD", "rate": "1.1610", "rate_date": "2026-11-27",
     "source": "manual", "entered_by": "anna", "reason": "ECB corrected late"}]}


def test_rates_show_for_a_date() -> None:
    gateway = FakeGateway({("GET", "/api/v1/rates"): DAY})
    result = invoke(gateway, "rates", "show", "--date", "2026-11-29")
    assert result.exit_code == 0, result.output
    assert gateway.requests[0].url.params["date"] == "2026-11-29"
    assert "documents dated 2026-11-29" in result.output
    for text in ("GBP", "0.86905", "2026-11-27", "ecb", "anna", "ECB corrected late"):
        assert text in result.output


def test_rates_show_says_when_there_are_none() -> None:
    gateway = FakeGateway({("GET", "/api/v1/rates"): {"date": "2026-01-01", "rates": []}})
    result = invoke(gateway, "rates", "show")
    assert result.exit_code == 0 and "No rates known for this day" in result.output


def test_rates_enter_sends_who_why_and_a_refusal_is_one_line() -> None:
    entered = {"currency": "GBP", "rate_date": "2026-11-30", "rate": "0.87",
               "entered_by": "anna", "source": "manual", "reason": "x"}
    gateway = FakeGateway({("POST", "/api/v1/rates"): entered})
    result = invoke(gateway, "rates", "enter", "GBP", "2026-11-30", "0.87",
                    "--reason", "Bundesbank rate")
    assert result.exit_code == 0, result.output
    assert gateway.body(0) == {"currency": "GBP", "rate_date": "2026-11-30", "rate": "0.87",
                               "reason": "Bundesbank rate"}
    assert "1 EUR = 0.87 GBP on 2026-11-30, entered by anna" in result.output
    refused = FakeGateway({("POST", "/api/v1/rates"): httpx.Response(422, json={
        "title": "Invalid request", "status": 422, "detail": "reason: too short"})})
    result = invoke(refused, "rates", "enter", "GBP", "2026-11-30", "0.87", "--reason", "x")
    assert result.exit_code != 0 and "Traceback" not in result.output
