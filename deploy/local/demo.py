"""`make demo`, after the stack is up: the billing team's month, end to end, through the gateway.

Runs a standard sync of the bundled simulator (progress bar), syncs the ECB exchange rates
(the simulator serves them: documents in GBP, USD or CHF with German VAT state the VAT in
EUR at the rate of the invoice date), raises the billing threshold
of the two advertisers with the smallest open totals (so the run skips them, as the
product does with small customers), shows the generator and whether the previous month is
ready to bill, shows a dry run of the previous month with its diff (CSV saved), processes
all advertisers for the previous month (forced, with a reason, when it is not ready yet)
and follows the run's job log, waits for the documents service to render every invoice,
lists them, cancels the smallest invoice (a cancellation, type 381 with the reference to
it, validated like every document) and saves the PDFs (PDF/A-3 with the EN 16931 XML
inside) under .state/demo/invoices/. Then the affiliates' side: the clerk sets each
affiliate's tax status and bank account and a payout threshold above the smallest open
payout (one affiliate in one currency), a run over the affiliates' generator pays the
others by self-billed credit note (type 389, "Gutschrift"), skipping that one below its
threshold, and the payout export writes the SEPA file and the CSV under .state/demo/payouts/.
Everything goes through the gateway with the admin key that
deploy/local/services.sh made; the visible steps are the `affbill` CLI a user would type.
It ends with the web UI's address and its demo sign-in (user admin, services.sh's password).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import subprocess
import sys
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
STATE = Path(os.environ.get("AFFBILL_STATE", ROOT / ".state"))
GATEWAY = os.environ.get("AFFBILL_URL", "http://127.0.0.1:8000")
CLI = str(Path(sys.executable).parent / "affbill")
SKIPPED_CUSTOMERS = 2
CENT = Decimal("0.01")
EU = frozenset(["AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
                "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"])


def say(text: str) -> None:
    print(f"\n\033[1m▶ {text}\033[0m", flush=True)


def cli(*args: str) -> int:
    print(f"$ affbill {' '.join(args)}", flush=True)
    # a wide table even when the output is a log file, not a terminal
    env = {**os.environ, "COLUMNS": os.environ.get("COLUMNS", "160")}
    return subprocess.run([CLI, *args], check=False, env=env).returncode


def generator_lines(api: httpx.Client) -> list[dict]:
    lines, page = [], 1
    while True:
        body = api.get("/api/v1/generator", params={"page": page, "page_size": 500}).json()
        lines += body["lines"]
        if len(lines) >= body["customers"] or not body["lines"]:
            return lines
        page += 1


def settled_generator(api: httpx.Client, timeout_s: float = 120) -> list[dict]:
    """Billing applies the synced facts as they arrive on Kafka, a moment after the sync
    job ends: wait until the generator stops changing."""
    deadline, previous = time.monotonic() + timeout_s, None
    while True:
        lines = generator_lines(api)
        seen = sorted((t["items"], t["open_total"]) for line in lines for t in line["totals"])
        if (lines and seen == previous) or time.monotonic() > deadline:
            return lines
        previous = seen
        time.sleep(1.5)


def raise_thresholds(api: httpx.Client) -> None:
    """The smallest customers get a threshold above what they have open: their items wait."""
    lines = [line for line in settled_generator(api) if len(line["totals"]) == 1]
    lines.sort(key=lambda line: Decimal(line["totals"][0]["open_total"]))
    for line in lines[:SKIPPED_CUSTOMERS]:
        total = line["totals"][0]
        open_total = Decimal(total["open_total"])
        threshold = Decimal(math.ceil(open_total * 2 / 10_000) * 10_000)
        print(f"  {line['name']}: open {open_total.quantize(CENT, ROUND_HALF_UP):,} "
              f"{total['currency']} → billing threshold {threshold:,.2f} {total['currency']}")
        answer = api.patch(f"/api/v1/customers/{line['customer_id']}/profile", json={
            "threshold_amount": str(threshold), "threshold_currency": total["currency"]})
        answer.raise_for_status()


def declare_a_consumer(api: httpx.Client) -> str | None:
    """An EU customer the run left open for its missing VAT id is declared a consumer."""
    for line in settled_generator(api):
        path = f"/api/v1/customers/{line['customer_id']}/profile"
        profile = api.get(path).json()
        if profile.get("tax_treatment") is None and profile.get("country"):
            print(f"  {line['name']} ({profile['country']}, no VAT id) is a consumer")
            api.patch(path, json={"buyer_kind": "consumer"}).raise_for_status()
            return line["customer_id"]
    return None


def demo_iban(n: int) -> str:
    """A valid German IBAN for the n-th demo affiliate (check digits by ISO 7064 mod 97)."""
    bban = f"37040044{n:010d}"
    digits = "".join(str(int(ch, 36)) for ch in bban + "DE00")
    return f"DE{98 - int(digits) % 97:02d}{bban}"


def affiliate_lines(api: httpx.Client) -> list[dict]:
    """The affiliates' generator (kind=affiliate): one line per affiliate with payouts."""
    return api.get("/api/v1/generator", params={"kind": "affiliate", "page_size": 500}
                   ).json()["lines"]


def prepare_affiliates(api: httpx.Client) -> None:
    """The clerk's part of the payouts: each affiliate's tax status (as its country and VAT
    id say; a German one without VAT id is a small business with a tax number), its bank,
    and for the smallest a payout threshold above its open payouts (the run skips it)."""
    lines = affiliate_lines(api)
    for n, line in enumerate(lines, start=1):
        path = f"/api/v1/customers/{line['customer_id']}/profile"
        profile = api.get(path).json()
        country, vat_id = profile.get("country") or "DE", profile.get("vat_id")
        if country not in EU:
            status = "non_eu"
        elif not vat_id:  # § 19 UStG at home; abroad a private person
            status = "small_business" if country == "DE" else "not_a_business"
        else:
            status = "domestic_vat" if country == "DE" else "eu_reverse_charge"
        api.patch(path, json={
            "tax_status": status, "tax_number": f"21/815/{n:05d}", "payout_method": "sepa",
            "bank_account": {"account_holder": line["name"], "iban": demo_iban(n)}},
        ).raise_for_status()
    hold_back_smallest(api, lines)


def smallest_payout(lines: list[dict]) -> tuple[dict, dict] | None:
    """The affiliate and currency with the smallest positive open payout. A threshold holds
    back only its own currency, and the simulator's affiliates are paid in several: the
    threshold goes on that one currency, so the run skips it and pays the others."""
    held = [(line, total) for line in lines for total in line["totals"]
            if Decimal(total["open_total"]) > 0]
    return min(held, key=lambda lt: Decimal(lt[1]["open_total"]), default=None)


def hold_back_smallest(api: httpx.Client, lines: list[dict]) -> None:
    """A payout threshold above the smallest open payout: one skip line in the run's log."""
    if (found := smallest_payout(lines)) is None:
        return
    smallest, total = found
    threshold = Decimal(math.ceil(Decimal(total["open_total"]) * 2 / 100) * 100)
    print(f"  {smallest['name']}: open payouts {total['open_total']} {total['currency']}"
          f" → payout threshold {threshold:,.2f} {total['currency']}")
    api.patch(f"/api/v1/customers/{smallest['customer_id']}/profile", json={
        "threshold_amount": str(threshold), "threshold_currency": total["currency"]},
    ).raise_for_status()


def settled_rates(api: httpx.Client, timeout_s: float = 60) -> list[dict]:
    """Billing records the rates as they arrive on fx.rates, a moment after the sync."""
    deadline = time.monotonic() + timeout_s
    while True:
        rates = api.get("/api/v1/rates").raise_for_status().json()["rates"]
        if rates or time.monotonic() > deadline:
            return rates
        time.sleep(1)


def accounting_currency_lines(invoices: list[dict]) -> list[str]:
    """The rendered invoices whose VAT is also stated in EUR (BT-6, BT-111)."""
    return [f"  {i['number']}: VAT {i['tax_total']} {i['currency']} = "
            f"{i['accounting']['tax_total']} EUR at {i['accounting']['rate']} "
            f"({i['accounting']['source']}, {i['accounting']['rate_date']})"
            for i in invoices if i.get("accounting") and i["currency"] != "EUR"
            and Decimal(i["tax_total"]) != 0]


def previous_month(api: httpx.Client, timeout_s: float = 30) -> dict:
    """The last closed month with its readiness; billing learns of the sync a moment after
    it ended, so wait a little for it to become ready."""
    deadline = time.monotonic() + timeout_s
    while True:
        period = api.get("/api/v1/periods", params={"count": 1}).json()["items"][0]
        if period["ready"] or time.monotonic() > deadline:
            return period
        time.sleep(1)


def latest_run(api: httpx.Client) -> dict | None:
    jobs = api.get("/api/v1/jobs", params={"kind": "batch_run", "limit": 1}).json()["items"]
    return jobs[0] if jobs else None


def wait_rendered(api: httpx.Client, expected: int, timeout_s: float = 300) -> list[dict]:
    deadline = time.monotonic() + timeout_s
    while True:
        body = api.get("/api/v1/invoices", params={"limit": 500}).json()
        if body["total"] >= expected or time.monotonic() > deadline:
            return body["items"]
        time.sleep(1)


def cancel_one(api: httpx.Client, invoices: list[dict]) -> list[dict]:
    """Cancel the smallest valid invoice and wait until its cancellation is rendered."""
    candidates = [i for i in invoices if i["document_type"] == "380" and i["valid"]]
    if not candidates:
        print("  (no invoice to cancel)")
        return invoices
    target = min(candidates, key=lambda i: Decimal(i["gross_total"]))
    say(f"A correction: the billing team cancels invoice {target['number']}")
    if cli("invoices", "cancel", target["invoice_id"]) != 0:
        return invoices
    rendered = wait_rendered(api, len(invoices) + 1)
    for doc in rendered:
        if doc.get("cancels_number") == target["number"]:
            print(f"  {doc['number']}: cancellation of {target['number']}, "
                  f"{'valid' if doc['valid'] else 'INVALID ' + ', '.join(doc['failed_rules'])}"
                  " (EN 16931 XML checked by XSD + Schematron)")
    return rendered


def save_pdfs(api: httpx.Client, invoices: list[dict]) -> Path:
    folder = STATE / "demo" / "invoices"
    folder.mkdir(parents=True, exist_ok=True)
    for invoice in invoices:
        pdf = api.get(f"/api/v1/invoices/{invoice['invoice_id']}/pdf")
        pdf.raise_for_status()
        (folder / f"{invoice['number']}.pdf").write_bytes(pdf.content)
    return folder


def main() -> int:
    key = (STATE / "admin.key").read_text().strip()
    os.environ["AFFBILL_API_KEY"] = key
    api = httpx.Client(base_url=GATEWAY, headers={"X-API-Key": key}, timeout=60)

    say("Standard sync of the adtracker (the bundled HasOffers simulator)")
    if cli("sync", "standard") != 0:
        return 1

    say("The ECB euro reference rates (the simulator serves them), and today's rates")
    cli("rates", "sync")
    settled_rates(api)
    cli("rates", "show")

    say(f"The billing team raises the threshold of the {SKIPPED_CUSTOMERS} smallest advertisers")
    raise_thresholds(api)

    say("The generator: one line per customer with open items")
    cli("generator")

    say("Billing periods: is last month ready (a sync after its end plus the settle time)?")
    period = previous_month(api)
    cli("periods", "--count", "2")
    month = dt.date.fromisoformat(period["start"]).strftime("%Y-%m")

    force = () if period["ready"] else (
        "--force", "Demo: the month closed less than the settle time ago")
    say(f"Dry run for {month}: what the run would do, against the previous month; "
        "nothing changes")
    if cli("run", "--all", "--period", month, "--dry-run", *force) != 0:
        return 1
    dry = latest_run(api)
    if dry:
        csv = api.get(f"/api/v1/dry-runs/{dry['job_id']}/csv")
        if csv.status_code == 200:
            path = STATE / "demo" / "dry-run.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(csv.content)
            print(f"  The dry run as CSV: {path}")

    say(f"Process selected: all advertisers for {month} (the job log follows the run)")
    before = latest_run(api)
    if cli("run", "--all", "--period", month, *force) != 0:
        return 1
    run = latest_run(api)
    created = (run or {}).get("counts", {}).get("documents_created", 0) if run != before else 0

    say("VAT id missing: an EU customer without VAT id is billed once its profile says "
        "consumer")
    if (consumer := declare_a_consumer(api)) and cli(
            "run", "--customer", consumer, "--period", month, *force) == 0:
        created += 1

    say("The affiliates' side: tax status, bank account and payout threshold per affiliate")
    prepare_affiliates(api)
    cli("affiliates", "generator")
    say(f"Process selected: all affiliates for {month} — self-billed credit notes "
        "(Gutschrift, type 389)")
    before = latest_run(api)
    if cli("affiliates", "run", "--period", month) == 0:
        run = latest_run(api)
        created += (run or {}).get("counts", {}).get("documents_created", 0) if run != before \
            else 0

    say("Payout files: SEPA credit transfers (pain.001.001.09) for EUR, a CSV for the rest")
    cli("affiliates", "payouts", "export", "--out", str(STATE / "demo" / "payouts"))

    say(f"Rendering {created} documents (PDF/A-3 + EN 16931 XML, validated)")
    invoices = cancel_one(api, wait_rendered(api, created))
    cli("invoices", "list")
    folder = save_pdfs(api, invoices)
    if foreign := accounting_currency_lines(invoices):
        say("Invoices with German VAT in another currency state it in EUR too (Art. 230)")
        print("\n".join(foreign))

    say("affbill is running")
    print(f"  PDFs of the invoices:  {folder}/  (e.g. xdg-open {folder}/*.pdf)")
    print(f"  Gateway:              {GATEWAY}/api/v1  (OpenAPI: {GATEWAY}/api/v1/openapi.json)")
    print(f"  Admin API key:        {STATE / 'admin.key'}  (export AFFBILL_API_KEY=$(cat "
          f"{STATE / 'admin.key'}), then .venv/bin/affbill --help)")
    print(f"  Logs:                 {STATE / 'logs' / 'services.log'}")
    print("  Stop:                 make stop")
    print_ui_sign_in()
    return 0


def print_ui_sign_in() -> None:
    """The last words of the demo: where the billing team's web UI is and how to sign in."""
    password = STATE / "ui-admin.password"
    say("The web UI")
    print(f"  Open:                 {GATEWAY}/ui/  (Adtracker, Advertisers → Generate "
          "Invoices, Drafts, Jobs, Invoices, …)")
    print("  Sign in:              user admin, password "
          + (password.read_text().strip() if password.exists() else "(see AFFBILL_GATEWAY_UI_"
             "BOOTSTRAP_ADMIN_PASSWORD)") + f"  (kept in {password})")


if __name__ == "__main__":
    sys.exit(main())
