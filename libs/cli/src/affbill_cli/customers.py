"""`affbill customers list|show`, `affbill profile show|set` and `affbill items`: who is
billed, how, and the billable items behind every figure (with their ids, for carting).
Registered by main.py."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from affbill_cli import tables
from affbill_cli.client import GatewayError
from affbill_cli.entities import Sets, changes_of
from affbill_cli.main import clean_errors, gateway, out, show
from affbill_cli.output import AsCsv, AsJson, money
from affbill_cli.periods import period_range
from affbill_cli.short_ids import whole

customers_app = typer.Typer(help="Customers (advertisers) as billing knows them.",
                            no_args_is_help=True)
profile_app = typer.Typer(help="A customer's billing profile.", no_args_is_help=True)


@customers_app.command("list")
@clean_errors
def customers_list(ctx: typer.Context,
                   search: Annotated[str | None, typer.Option("--search", "-q",
                                                              help="Name or id contains.")
                                     ] = None,
                   account_manager: str | None = None, limit: int = 50, offset: int = 0,
                   as_json: AsJson = False, as_csv: AsCsv = False) -> None:
    """Customers with their kind, status, account manager and currency."""
    body = gateway(ctx).get("/customers", q=search, account_manager=account_manager,
                            limit=limit, offset=offset)
    show(body, tables.customers(body), as_json, as_csv)


@customers_app.command("show")
@clean_errors
def customers_show(ctx: typer.Context, customer_id: str, as_json: AsJson = False) -> None:
    """One customer: its facts, open totals and drafts (its profile: affbill profile show)."""
    body = gateway(ctx).get(f"/customers/{customer_id}")
    values = {k: v for k, v in body.items() if k not in ("profile", "open")}
    for n, total in enumerate(body.get("open") or []):
        cur = total.get("currency")
        values[f"open {cur or n}"] = " ".join(
            f"{k}={money(v, cur) if 'total' in k or 'revenue' in k else v}"
            for k, v in total.items() if k != "currency")
    show(body, tables.fields(f"Customer {customer_id}", values), as_json)


@profile_app.command("show")
@clean_errors
def profile_show(ctx: typer.Context, customer_id: str, as_json: AsJson = False) -> None:
    """The billing profile: billing name, address, VAT, currency, threshold, terms, …"""
    body = gateway(ctx).get(f"/customers/{customer_id}/profile")
    show(body, tables.fields(f"Billing profile of {customer_id} (version "
                             f"{body.get('version')})", body), as_json)


@profile_app.command("set")
@clean_errors
def profile_set(ctx: typer.Context, customer_id: str, set_: Sets = None,
                version: Annotated[int | None, typer.Option(
                    help="The profile version you saw (409 if it moved on).")] = None,
                as_json: AsJson = False) -> None:
    """Change profile fields: --set payment_days=30 --set threshold_amount=100 …"""
    body = changes_of(set_ or [])
    if not body:
        raise GatewayError("Nothing to change: give --set field=value.", 2)
    if version is not None:
        body["version"] = version
    changed = gateway(ctx).call("PATCH", f"/customers/{customer_id}/profile", json=body)
    show(changed, tables.fields(f"Billing profile of {customer_id} (version "
                                f"{changed.get('version')})", changed), as_json)


def items_cmd(ctx: typer.Context,
              item_id: Annotated[str | None, typer.Argument(
                  help="One item: its stat rows (the adtracker's figures behind it).")] = None,
              customer: Annotated[str | None, typer.Option(help="A customer's open items.")
                                  ] = None,
              invoice: Annotated[str | None, typer.Option(help="The items an invoice billed."
                                                          )] = None,
              line: Annotated[int | None, typer.Option(help="Of this invoice line only.")
                              ] = None,
              period: Annotated[str | None, typer.Option(
                  help="2026-11, 2026-Q4, 2026-W47 or 2026-11-01..2026-11-14.")] = None,
              offer: str | None = None, currency: str | None = None,
              page: int = 1, page_size: int = 100,
              as_json: AsJson = False, as_csv: AsCsv = False) -> None:
    """Billable items with their ids: a customer's, an invoice's, or one item's stat rows.

    A customer's open items (filters: --period, --offer, --currency), the items an invoice
    billed (--invoice [--line N]), or one item's stat rows (ITEM_ID)."""
    clean_errors(_items)(ctx, item_id, customer, invoice, line, period, offer, currency,
                         page, page_size, as_json, as_csv)


def _items(ctx: typer.Context, item_id: str | None, customer: str | None,
           invoice: str | None, line: int | None, period: str | None, offer: str | None,
           currency: str | None, page: int, page_size: int, as_json: bool,
           as_csv: bool) -> None:
    body: Any
    if item_id:
        body = gateway(ctx).get(f"/items/{item_id}/stat-rows")
        show(body, tables.stat_rows(body), as_json, as_csv)
    elif invoice:
        invoice = whole(ctx, "invoice", invoice)
        body = gateway(ctx).get(f"/invoices/{invoice}/items", line_no=line, limit=page_size,
                                offset=(page - 1) * page_size)
        show(body, tables.items(body), as_json, as_csv)
    elif customer:
        first, last = period_range(period) if period else (None, None)
        body = gateway(ctx).get(f"/generator/{customer}/items", period_from=first,
                                period_to=last, offer_id=offer, currency=currency, page=page,
                                page_size=page_size)
        show(body, tables.items(body), as_json, as_csv,
             caption="Cart them: affbill drafts create --customer C --period P")
    else:
        raise GatewayError("Choose --customer C, --invoice I, or an item id.", 2)
    if not as_json and not as_csv and not item_id:
        out.print("An item's stat rows: affbill items ITEM_ID", style="dim")
