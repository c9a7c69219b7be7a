"""The manual way's commands against a fake gateway: what each sends (cart by period,
versions, discounts, lines, credit notes) and what it refuses before sending anything."""

from __future__ import annotations

import httpx
import pytest

from affbill_cli.client import GatewayError
from affbill_cli.periods import period_range
from tests.unit.cli.fixtures import D1, I1, ITEMS
from tests.unit.cli.test_cli import FakeGateway, invoke

DRAFT = {"draft_id": D1, "customer_id": "ho:advertiser:7", "status": "draft", "version": 4,
         "currency": "EUR", "totals": {"net": "72.50", "tax": "13.78", "gross": "86.28"},
         "presets": {"billing_name": "Acme Media GmbH", "payment_days": 14,
                     "address": {"lines": ["Hauptstr. 1"], "city": "Berlin"}},
         "lines": [{"line_id": "9d1e0c4a-1111-4b8e-9a0f-5c2d1e6b7a10",
                    "description": "Shop CPS", "quantity": "5", "unit_price": "12.50",
                    "vat_category": "S", "vat_rate": "19.00", "net_amount": "62.50",
                    "item_ids": ["a", "b"]}],
         "allowances_charges": [{"charge": False, "amount": "5.00", "reason": "Loyalty",
                                 "vat_category": "S", "vat_rate": "19.00"}],
         "approvals": {"required": 0, "count": 0}, "items": 2}


@pytest.mark.parametrize(("spec", "days"), [
    ("2026-11", ("2026-11-01", "2026-11-30")), ("2024-02", ("2024-02-01", "2024-02-29")),
    ("2026-Q4", ("2026-10-01", "2026-12-31")), ("2026-W47", ("2026-11-16", "2026-11-22")),
    ("2026-11-01..2026-11-14", ("2026-11-01", "2026-11-14"))])
def test_periods_as_the_clerk_writes_them(spec: str, days: tuple[str, str]) -> None:
    assert period_range(spec) == days


@pytest.mark.parametrize("spec", ["2026-13", "2026-Q5", "nov", "2026-11-14..2026-11-01"])
def test_a_period_that_is_not_one_is_refused(spec: str) -> None:
    with pytest.raises(GatewayError, match="write 2026-11"):
        period_range(spec)


def test_cart_by_period_pages_the_open_items_and_skips_those_in_drafts() -> None:
    gw = FakeGateway({("GET", "/api/v1/generator/ho:advertiser:7/items"): ITEMS,
                      ("POST", "/api/v1/drafts"): lambda r: httpx.Response(201, json=DRAFT)})
    result = invoke(gw, "drafts", "create", "--customer", "ho:advertiser:7", "--period",
                    "2026-11")
    assert result.exit_code == 0, result.output
    params = gw.requests[0].url.params
    assert (params["period_from"], params["period_to"]) == ("2026-11-01", "2026-11-30")
    assert gw.body(1) == {"customer_id": "ho:advertiser:7",
                          "item_ids": [ITEMS["items"][0]["item_id"]]}  # the 2nd is in a draft
    out = result.output
    assert f"Draft {D1} with 1 item" in out and "Presets" in out and "payment_days" in out
    assert DRAFT["lines"][0]["line_id"] in out  # line ids, to edit by


def test_edits_need_the_version_seen_or_latest() -> None:
    gw = FakeGateway({("GET", f"/api/v1/drafts/{D1}"): DRAFT,
                      ("PATCH", f"/api/v1/drafts/{D1}"): DRAFT})
    refused = invoke(gw, "drafts", "edit", D1, "--set", "payment_days=30")
    assert refused.exit_code == 2 and "--latest" in refused.output and not gw.requests
    both = invoke(gw, "drafts", "issue", D1, "--version", "4", "--latest")
    assert both.exit_code == 2 and not gw.requests
    done = invoke(gw, "drafts", "edit", D1, "--set", "payment_days=30", "--version", "4")
    assert done.exit_code == 0, done.output
    assert gw.body(0) == {"payment_days": 30, "version": 4}


def test_a_document_discount_keeps_the_ones_there() -> None:
    gw = FakeGateway({("GET", f"/api/v1/drafts/{D1}"): DRAFT,
                      ("PATCH", f"/api/v1/drafts/{D1}"): DRAFT})
    result = invoke(gw, "drafts", "discount", D1, "10", "--reason", "Launch", "--version", "4")
    assert result.exit_code == 0, result.output
    assert gw.body(1)["allowances_charges"] == [
        {"charge": False, "amount": "5.00", "reason": "Loyalty", "vat_category": "S",
         "vat_rate": "19.00"}, {"charge": False, "amount": "10", "reason": "Launch"}]
    assert "Document allowance 0: 5.00 EUR (Loyalty)" in result.output


def test_lines_bonus_and_custom_invoices_send_their_fields() -> None:
    line = DRAFT["lines"][0]["line_id"]
    gw = FakeGateway({("POST", f"/api/v1/drafts/{D1}/lines"): DRAFT,
                      ("PATCH", f"/api/v1/drafts/{D1}/lines/{line}"): DRAFT,
                      ("DELETE", f"/api/v1/drafts/{D1}/lines/{line}"): DRAFT,
                      ("POST", "/api/v1/drafts/custom"): DRAFT})
    assert invoke(gw, "drafts", "bonus", D1, "50", "--reason", "Q4 bonus", "--version",
                  "4").exit_code == 0
    assert gw.body(0) == {"version": 4, "line": {"description": "Q4 bonus", "unit_price": "50"}}
    assert invoke(gw, "drafts", "lines", "edit", D1, line, "--discount", "2.50", "--reason",
                  "Launch", "--set", "quantity=4", "--version", "5").exit_code == 0
    assert gw.body(1) == {"quantity": 4, "allowance": {"amount": "2.50", "reason": "Launch"},
                          "version": 5}
    assert invoke(gw, "drafts", "lines", "add", D1, "description=Setup fee,unit_price=250",
                  "--version", "6").exit_code == 0
    assert gw.body(2)["line"] == {"description": "Setup fee", "unit_price": "250"}
    assert invoke(gw, "drafts", "lines", "remove", D1, line, "--version", "7").exit_code == 0
    assert gw.requests[3].url.params["version"] == "7"
    made = invoke(gw, "drafts", "custom", "--customer", "c", "--line",
                  "description=Consulting,unit_price=80,quantity=4", "--supply-date",
                  "2026-11-30")
    assert made.exit_code == 0, made.output
    assert gw.body(4) == {"customer_id": "c", "supply_date": "2026-11-30", "lines": [
        {"description": "Consulting", "unit_price": "80", "quantity": "4"}]}


def test_credit_notes_for_lines_or_an_amount() -> None:
    note = {"invoice_id": "n-1", "number": "INV-2026-00003-S", "currency": "EUR",
            "totals": {"net": "-80.00", "tax": "-15.20", "gross": "-95.2"}}
    gw = FakeGateway({("POST", f"/api/v1/invoices/{I1}/credit-notes"):
                      lambda r: httpx.Response(201, json=note)})
    result = invoke(gw, "invoices", "credit", I1, "--line", "2:1", "--line", "3",
                    "--reason", "Not delivered")
    assert result.exit_code == 0, result.output
    assert gw.body(0) == {"lines": [{"line_no": 2, "quantity": "1"}, {"line_no": 3}],
                          "reason": "Not delivered"}
    assert "Credit note INV-2026-00003-S (n-1): -95.20 EUR" in result.output
    assert invoke(gw, "invoices", "credit", I1, "--amount", "100").exit_code == 0
    assert gw.body(1) == {"lines": [], "amount": "100"}
    assert invoke(gw, "invoices", "credit", I1).exit_code == 2
    assert invoke(gw, "invoices", "credit", I1, "--line", "x").exit_code == 2


def test_items_drill_down_routes() -> None:
    gw = FakeGateway({(("GET", f"/api/v1/invoices/{I1}/items")): ITEMS})
    result = invoke(gw, "items", "--invoice", I1, "--line", "2")
    assert result.exit_code == 0, result.output
    assert gw.requests[0].url.params["line_no"] == "2"
    assert invoke(gw, "items").exit_code == 2


def test_a_short_id_as_tables_print_it_is_taken_when_it_is_one() -> None:
    from tests.unit.cli.fixtures import DRAFTS
    gw = FakeGateway({("GET", "/api/v1/drafts"): DRAFTS, ("GET", f"/api/v1/drafts/{D1}"): DRAFT})
    shown = invoke(gw, "drafts", "show", D1[:8])
    assert shown.exit_code == 0, shown.output
    assert gw.requests[-1].url.path == f"/api/v1/drafts/{D1}"
    unknown = invoke(gw, "drafts", "show", "ffffffff")
    assert unknown.exit_code == 2 and "no draft id starts with ffffffff" in unknown.output


def test_a_line_is_edited_by_its_short_id_too() -> None:
    line = DRAFT["lines"][0]["line_id"]
    gw = FakeGateway({("GET", f"/api/v1/drafts/{D1}"): DRAFT,
                      ("PATCH", f"/api/v1/drafts/{D1}/lines/{line}"): DRAFT})
    result = invoke(gw, "drafts", "lines", "edit", D1, line[:8], "--set", "quantity=2",
                    "--version", "4")
    assert result.exit_code == 0, result.output
    assert gw.requests[-1].url.path == f"/api/v1/drafts/{D1}/lines/{line}"
