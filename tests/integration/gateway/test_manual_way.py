"""The manual way through the gateway with the `affbill` CLI alone, on the real billing
service: cart a customer's period by filter, see it, edit presets, a line's discount, a
bonus, Create with the version seen; then drill the invoice down to its items and their
stat rows, and credit part of it. (Documents and jobs are not running here; the PDF preview
is in tests/e2e/test_cli_flow.py.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.gateway.conftest import Stack, seed_customer

pytestmark = pytest.mark.integration
CLI = str(Path(sys.executable).with_name("affbill"))


def cli(stack: Stack, key: str, *args: str, columns: int = 200
        ) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "AFFBILL_URL": stack.gateway,
                               "AFFBILL_API_KEY": key, "COLUMNS": str(columns)}, check=False)
    return done


def ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


async def test_the_manual_way_with_the_cli(stack: Stack, keys: dict[str, str]) -> None:
    customer = await seed_customer(stack, revenue="120.00000")
    k = keys["accountant"]
    found = json.loads(ok(cli(stack, k, "customers", "list", "-q", customer, "--json")))
    assert [c["customer_id"] for c in found["items"]] == [customer]
    assert customer in ok(cli(stack, k, "customers", "show", customer))
    ok(cli(stack, k, "profile", "set", customer, "--set", "payment_days=21"))
    assert json.loads(ok(cli(stack, k, "profile", "show", customer, "--json")))[
        "payment_days"] == 21
    items = json.loads(ok(cli(stack, k, "items", "--customer", customer, "--period",
                              "2026-10", "--json")))
    assert items["total"] == 1
    item_id = items["items"][0]["item_id"]
    assert ok(cli(stack, k, "items", "--customer", customer, "--csv")).splitlines()[1
                                                                                   ].startswith(item_id)

    nothing = cli(stack, k, "drafts", "create", "--customer", customer, "--period", "2026-09")
    assert nothing.returncode == 1 and "No open items" in nothing.stderr
    made = ok(cli(stack, k, "drafts", "create", "--customer", customer, "--period", "2026-10"))
    assert "with 1 item" in made and "Presets" in made
    draft = json.loads(ok(cli(stack, k, "drafts", "list", "--customer", customer, "--json"))
                       )["items"][0]
    did = draft["draft_id"]
    shown = json.loads(ok(cli(stack, k, "drafts", "show", did, "--json")))
    line_id = shown["lines"][0]["line_id"]
    assert line_id in ok(cli(stack, k, "drafts", "show", did))  # line ids to edit by

    ok(cli(stack, k, "drafts", "edit", did, "--set", "intro_text=As agreed", "--version", "1"))
    stale = cli(stack, k, "drafts", "edit", did, "--set", "payment_days=5", "--version", "1")
    assert stale.returncode == 1 and "409" in stale.stderr
    ok(cli(stack, k, "drafts", "lines", "edit", did, line_id, "--discount", "20",
           "--reason", "Launch", "--version", "2"))
    ok(cli(stack, k, "drafts", "bonus", did, "50", "--reason", "Q4 bonus", "--version", "3"))
    ok(cli(stack, k, "drafts", "discount", did, "10", "--reason", "Loyalty", "--version", "4"))
    final = json.loads(ok(cli(stack, k, "drafts", "show", did, "--json")))
    assert final["version"] == 5 and final["presets"]["intro_text"] == "As agreed"
    # lines 120 - 20 + 50, less the document discount of 10, 19 % VAT
    assert (final["totals"]["net"], final["totals"]["allowances"]) == ("150.00", "10.00")
    assert final["totals"]["gross"] == "166.60"
    unsure = cli(stack, k, "drafts", "issue", did)
    assert unsure.returncode == 2 and "--latest" in unsure.stderr
    issued = ok(cli(stack, k, "drafts", "issue", did, "--version", "5"))
    assert issued.startswith("Issued ")
    invoice_id = issued.strip().rsplit("(", 1)[1].rstrip(")")

    lines = json.loads(ok(cli(stack, k, "invoices", "show", invoice_id, "--lines", "--json")))
    assert [x["items"] for x in lines["items"]] == [1, 0]
    billed = json.loads(ok(cli(stack, k, "invoices", "show", invoice_id, "--items",
                               "--line", "1", "--json")))
    assert [i["item_id"] for i in billed["items"]] == [item_id]
    assert billed["items"][0]["state"] == "invoiced"
    rows = json.loads(ok(cli(stack, k, "items", item_id, "--json")))
    assert rows["total"] == 1 and rows["items"][0]["revenue"].startswith("120.00")

    credit = ok(cli(stack, k, "invoices", "credit", invoice_id, "--amount", "40",
                    "--reason", "Disputed clicks"))
    assert credit.startswith("Credit note ") and "-47.60 EUR" in credit  # 40 + 19 % VAT
    viewer = cli(stack, keys["viewer"], "invoices", "credit", invoice_id, "--amount", "1")
    assert viewer.returncode == 3
