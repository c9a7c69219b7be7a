"""`affbill affiliates generator|profile|set-profile|run`: the affiliates' side — payout
items, their profiles (tax status, payout method, bank details) and runs that pay them by
self-billed credit note. Registered by main.py."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from affbill_cli import tables
from affbill_cli.main import clean_errors, gateway, out, show, started

affiliates_app = typer.Typer(help="Affiliates: payout items, profiles, credit-note runs.",
                             no_args_is_help=True)
PAYOUT_FIELDS = ("tax_status", "tax_number", "payout_method", "bank_account", "threshold_amount",
                 "threshold_currency", "number_series", "drafts_by_default", "country", "vat_id")


@affiliates_app.command("generator")
@clean_errors
def generator(ctx: typer.Context, customer: str | None = None, page: int = 1,
              page_size: int = 50,
              as_json: Annotated[bool, typer.Option("--json", help="The answer as JSON.")] = False,
              as_csv: Annotated[bool, typer.Option("--csv", help="Every column as CSV.")] = False,
              ) -> None:
    """The affiliates' generator: one line per affiliate with open payout items."""
    body = gateway(ctx).get("/generator", customer=customer, kind="affiliate", page=page,
                            page_size=page_size)
    show(body, tables.generator(body), as_json, as_csv)


def _profile(body: dict[str, Any]) -> Table:
    table = Table("field", "value", title=body.get("billing_name") or body["customer_id"])
    for field in PAYOUT_FIELDS:
        value = body.get(field)
        if isinstance(value, dict):
            value = ", ".join(f"{k}: {v}" for k, v in value.items() if v)
        table.add_row(field, "" if value is None else str(value))
    return table


@affiliates_app.command("profile")
@clean_errors
def profile(ctx: typer.Context, affiliate: str) -> None:
    """An affiliate's payout profile."""
    out.print(_profile(gateway(ctx).get(f"/customers/{affiliate}/profile")))


@affiliates_app.command("set-profile")
@clean_errors
def set_profile(
        ctx: typer.Context, affiliate: str,
        tax_status: Annotated[str | None, typer.Option(
            help="domestic_vat, eu_reverse_charge, non_eu, small_business, not_a_business")
                              ] = None,
        tax_number: str | None = None,
        payout_method: Annotated[str | None, typer.Option(help="sepa, wire, paypal, other")
                                 ] = None,
        holder: Annotated[str | None, typer.Option(help="Account holder (with --iban).")
                          ] = None,
        iban: str | None = None, bic: str | None = None, bank_name: str | None = None,
        threshold: Annotated[str | None, typer.Option(help="Payout threshold amount.")
                             ] = None,
        currency: Annotated[str, typer.Option(help="The threshold's currency.")] = "EUR",
        drafts_by_default: Annotated[bool | None, typer.Option(
            help="Credit notes become drafts first.")] = None) -> None:
    """Change an affiliate's payout profile (IBAN and BIC are checked by billing)."""
    changes: dict[str, Any] = {k: v for k, v in {
        "tax_status": tax_status, "tax_number": tax_number, "payout_method": payout_method,
        "drafts_by_default": drafts_by_default}.items() if v is not None}
    if iban is not None:
        changes["bank_account"] = {"account_holder": holder or "", "iban": iban, "bic": bic,
                                   "bank_name": bank_name}
    if threshold is not None:
        changes.update(threshold_amount=threshold, threshold_currency=currency)
    out.print(_profile(gateway(ctx).call("PATCH", f"/customers/{affiliate}/profile",
                                         json=changes)))


@affiliates_app.command("run")
@clean_errors
def run(ctx: typer.Context,
        affiliate: Annotated[list[str] | None, typer.Option(help="An affiliate (repeatable); "
                                                            "default: every affiliate.")] = None,
        period: str | None = None,
        wait: Annotated[bool, typer.Option(help="Follow the job log until it ends.")] = True
        ) -> None:
    """Process selected for affiliates: self-billed credit notes above each threshold."""
    body: dict[str, Any] = ({"customer_ids": affiliate} if affiliate else {"all": True})
    body["customer_kind"] = "affiliate"
    if period:
        body["period"] = period
    started(ctx, gateway(ctx).post("/runs", body), "Run accepted", bar=False, wait=wait)


@affiliates_app.command("margins")
@clean_errors
def margins(ctx: typer.Context,
            period_from: Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD).")],
            period_to: Annotated[str, typer.Option("--to", help="Last day (YYYY-MM-DD).")],
            by: Annotated[str, typer.Option(help="offer or advertiser")] = "offer") -> None:
    """Margin view: revenue billed, payout owed and the margin per offer or advertiser."""
    body = gateway(ctx).get("/margins", period_from=period_from, period_to=period_to, by=by)
    table = Table(by, "name", "currency", "revenue billed", "revenue open", "payout owed",
                  "payout paid", "margin",
                  title=f"Margins {body['period_from']} – {body['period_to']}")
    for m in body["lines"]:
        table.add_row(m["key"], m["name"] or "", m["currency"], m["revenue_billed"],
                      m["revenue_open"], m["payout_owed"], m["payout_paid"], m["margin"])
    out.print(table)


from affbill_cli.payouts import payouts_app  # noqa: E402

affiliates_app.add_typer(payouts_app, name="payouts")
