"""Credit-note run: affiliates with open payout items → one run paying all of them by
self-billed credit note (EN 16931 type 389), the sibling of bench/batch_run.py.

    .venv/bin/python bench/credit_note_run.py [--affiliates 2000 --items 50]

Affiliates, their profiles (tax status domestic_vat with a tax number, a bank account,
the self-billed series) and open payout items are loaded with COPY (untimed); the run is
the billing service's own handler over the affiliates (`customer_kind` affiliate), timed
from the command to the last credit note committed. The same-run baseline is
batch_run.py's floor (the per-customer lock, insert and update alone) on another set of
the same size. Last line: credit_notes_per_s=<n> items_per_s=<n> baseline_per_s=<n>
"""

from __future__ import annotations

import bench.namespace  # noqa: F401 - topics of its own, set before affbill is imported

# isort: split

import argparse
import asyncio
import json
import os
import uuid

import asyncpg

from affbill_billing.config import Settings
from affbill_runtime.migrations import upgrade
from bench._stack import drop_schema
from bench.batch_run import DB, PLAIN, floor, load, run

PAYEES = """
update billing_profiles set tax_status = 'domestic_vat', tax_number = '21/815/08150',
    number_series = 'self-billed', country = 'DE', payout_method = 'sepa',
    bank_account = $1::jsonb, tax_treatment = null
where customer_id like 'bench%:affiliate:%'
"""


async def make_payees(schema: str) -> None:
    """The loaded affiliates as a network keeps them: tax status, tax number, bank."""
    conn = await asyncpg.connect(PLAIN, server_settings={"search_path": schema})
    try:
        await conn.execute(PAYEES, json.dumps({"account_holder": "Publisher",
                                               "iban": "DE89370400440532013000"}))
        await conn.execute("vacuum analyze billing_profiles")
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--affiliates", type=int, default=2000)
    parser.add_argument("--items", type=int, default=50)
    args = parser.parse_args()
    schema = f"billing_bench_{uuid.uuid4().hex[:6]}"
    upgrade("affbill_billing", DB, schema)
    try:
        ids = asyncio.run(load(schema, args.affiliates, args.items, "affiliate", tag="cn"))
        others = asyncio.run(load(schema, args.affiliates, args.items, "affiliate", tag="fl"))
        asyncio.run(make_payees(schema))
        print(f"loaded 2 × {args.affiliates:,} affiliates × {args.items} open payout items",
              flush=True)
        baseline = asyncio.run(floor(schema, others, Settings().run_concurrency))
        load_before = os.getloadavg()[0]
        seconds, counts = asyncio.run(run(schema, ids))
        print(f"run: {seconds:.1f} s, {counts}; load average {load_before:.2f} → "
              f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    finally:
        drop_schema(DB, schema)
    rate = counts["documents_created"] / seconds
    print(f"credit_notes_per_s={rate:.0f} items_per_s={rate * args.items:.0f} "
          f"baseline_per_s={baseline:.0f}")


if __name__ == "__main__":
    main()
