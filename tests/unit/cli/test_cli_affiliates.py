"""`affbill affiliates …` against a fake gateway: the affiliates' generator, the payout
profile (a refused IBAN says why), and a run that pays affiliates only."""

from __future__ import annotations

from httpx import Response

from tests.unit.cli.test_cli import GENERATOR, FakeGateway, invoke

PROFILE = {"customer_id": "ho:affiliate:1004", "billing_name": "Klick Medien",
           "tax_status": "small_business", "tax_number": "21/815/08150", "payout_method": "sepa",
           "bank_account": {"account_holder": "Klick Medien", "iban": "DE89370400440532013000",
                            "bic": "COBADEFFXXX"}, "threshold_amount": "50.00",
           "threshold_currency": "EUR", "number_series": "self-billed"}


def test_the_affiliates_generator_asks_for_affiliates_only() -> None:
    gw = FakeGateway({("GET", "/api/v1/generator"): GENERATOR})
    result = invoke(gw, "affiliates", "generator")
    assert result.exit_code == 0, result.output
    assert gw.requests[0].url.params["kind"] == "affiliate"


def test_set_profile_sends_the_payout_fields_and_shows_them() -> None:
    gw = FakeGateway({("PATCH", "/api/v1/customers/ho:affiliate:1004/profile"): PROFILE})
    result = invoke(gw, "affiliates", "set-profile", "ho:affiliate:1004",
                    "--tax-status", "small_business", "--tax-number", "21/815/08150",
                    "--payout-method", "sepa", "--holder", "Klick Medien",
                    "--iban", "DE89370400440532013000", "--bic", "COBADEFFXXX",
                    "--threshold", "50")
    assert result.exit_code == 0, result.output
    assert gw.body(0) == {
        "tax_status": "small_business", "tax_number": "21/815/08150", "payout_method": "sepa",
        "bank_account": {"account_holder": "Klick Medien", "iban": "DE89370400440532013000",
                         "bic": "COBADEFFXXX", "bank_name": None},
        "threshold_amount": "50", "threshold_currency": "EUR"}
    assert "small_business" in result.output and "DE89370400440532013000" in result.output


def test_a_refused_iban_says_which_field_and_why() -> None:
    refused = Response(422, json={"title": "Invalid request", "status": 422, "errors": [
        {"field": "bank_account.iban", "reason": "'DE00' is not an IBAN: invalid checksum"}]})
    gw = FakeGateway({("PATCH", "/api/v1/customers/ho:affiliate:1004/profile"):
                      lambda _: refused})
    result = invoke(gw, "affiliates", "set-profile", "ho:affiliate:1004", "--holder", "K",
                    "--iban", "DE00")
    assert result.exit_code != 0
    assert "bank_account.iban" in result.output and "invalid checksum" in result.output


def test_run_pays_affiliates_only() -> None:
    gw = FakeGateway({("POST", "/api/v1/runs"): {"job_id": "0b7d2f0e-8a43-4c52-a9a4-5d1a9e1f7c33",
                                                 "status": "queued"}})
    result = invoke(gw, "affiliates", "run", "--no-wait")
    assert result.exit_code == 0, result.output
    assert gw.body(0) == {"all": True, "customer_kind": "affiliate"}


def test_margins_per_advertiser() -> None:
    body = {"period_from": "2026-10-01", "period_to": "2026-10-31", "by": "advertiser",
            "lines": [{"key": "ho:advertiser:7", "name": "Acme", "advertiser_id": "ho:advertiser:7",
                       "currency": "EUR", "revenue_billed": "170.00", "revenue_open": "30.00",
                       "payout_owed": "147.00", "payout_paid": "80.00", "margin": "23.00"}]}
    gw = FakeGateway({("GET", "/api/v1/margins"): body})
    result = invoke(gw, "affiliates", "margins", "--from", "2026-10-01", "--to", "2026-10-31",
                    "--by", "advertiser")
    assert result.exit_code == 0, result.output
    assert dict(gw.requests[0].url.params) == {"period_from": "2026-10-01",
                                               "period_to": "2026-10-31", "by": "advertiser"}
    assert "Acme" in result.output and "23.00" in result.output


def test_payouts_export_writes_the_files(tmp_path) -> None:
    answer = {"job_id": "0b7d2f0e-8a43-4c52-a9a4-5d1a9e1f7c33", "skipped": [
        {"number": "SB-2026-00003", "reason": "no payout_method in the affiliate's profile"}],
        "files": [{"file_id": "5d0c1e9e-5d1b-4b7e-9a53-0c6a3f1d2e4b", "entity": "default",
                   "format": "sepa", "currency": "EUR", "sha256": "ab",
                   "filename": "payouts-default-EUR-20261202-5d0c1e9e.xml",
                   "credit_notes": ["SB-2026-00001"], "total": "95.34",
                   "content": "<Document/>"}]}
    gw = FakeGateway({("POST", "/api/v1/payouts/exports"): answer})
    result = invoke(gw, "affiliates", "payouts", "export", "--affiliate", "ho:affiliate:1004",
                    "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert gw.body(0) == {"again": False, "customer_ids": ["ho:affiliate:1004"]}
    written = tmp_path / "payouts-default-EUR-20261202-5d0c1e9e.xml"
    assert written.read_text() == "<Document/>"
    assert "SB-2026-00003" in result.output and "no payout_method" in result.output


def test_sync_republish_asks_for_a_standard_sync_that_publishes_every_row() -> None:
    gw = FakeGateway({("POST", "/api/v1/adtracker/syncs"): {
        "job_id": "0b7d2f0e-8a43-4c52-a9a4-5d1a9e1f7c33", "status": "queued"}})
    result = invoke(gw, "sync", "republish", "--from", "2026-10-01", "--to", "2026-11-30",
                    "--no-wait")
    assert result.exit_code == 0, result.output
    assert gw.body(0) == {"connector": "hasoffers-sim", "scope": "standard",
                          "date_from": "2026-10-01", "date_to": "2026-11-30",
                          "republish": True}
