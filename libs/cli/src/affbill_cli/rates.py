"""`affbill rates show|history|enter|sync`: the exchange rates documents use.

Registered by main.py (which it takes the gateway, the console and the error handling from).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from affbill_cli.main import clean_errors, gateway, out, show
from affbill_cli.output import AsCsv, AsJson, field

rates_app = typer.Typer(help="Exchange rates: per day, their history, manual rates.",
                        no_args_is_help=True)


COLUMNS = [field("Currency", "currency", 9), field("Rate", "rate", 9, right=True),
           field("Rate date", "rate_date", 8), field("Source", "source", 6),
           field("Entered by", "entered_by", 4), field("Reason", "reason", 3, wrap=True)]


def _table(title: str, rows: list[dict[str, Any]], body: Any, as_json: bool, as_csv: bool,
           *, history: bool = False) -> None:
    caption = "oldest first: the last row is the day's rate" if history and rows else None
    show(body, (title, rows, COLUMNS), as_json, as_csv, caption)


@rates_app.command("show")
@clean_errors
def rates_show(ctx: typer.Context,
               date: Annotated[str | None, typer.Option(
                   help="The day a document is dated (YYYY-MM-DD); default: today.")] = None,
               currency: Annotated[str | None, typer.Option(help="Only this currency.")
                                   ] = None, as_json: AsJson = False,
               as_csv: AsCsv = False) -> None:
    """The rate a document dated --date uses per currency: that day's, or the last
    published before it (weekends, holidays)."""
    body = gateway(ctx).get("/rates", date=date, currency=currency)
    rates = body.get("rates", [])
    _table(f"Rates (1 EUR = …) for documents dated {body.get('date')}", rates, body, as_json,
           as_csv)
    if not rates and not (as_json or as_csv):
        out.print("No rates known for this day: documents in other currencies with VAT "
                  "wait (affbill rates sync, or affbill rates enter).")


@rates_app.command("history")
@clean_errors
def rates_history(ctx: typer.Context, currency: str, day: str, as_json: AsJson = False,
                  as_csv: AsCsv = False) -> None:
    """Every rate recorded for a currency and day, corrections included."""
    rows = gateway(ctx).get(f"/rates/{currency}/{day}/history")
    _table(f"{currency} on {day}", rows, rows, as_json, as_csv, history=True)


@rates_app.command("enter")
@clean_errors
def rates_enter(ctx: typer.Context, currency: str, day: str, rate: str,
                reason: Annotated[str, typer.Option(help="Why the rate is entered by hand.")]
                ) -> None:
    """Enter a rate by hand (units of CURRENCY per 1 EUR): the day's rate from now on."""
    entered = gateway(ctx).post("/rates", {"currency": currency, "rate_date": day,
                                           "rate": rate, "reason": reason})
    out.print(f"1 EUR = {entered['rate']} {entered['currency']} on {entered['rate_date']}, "
              f"entered by {entered['entered_by']}")


@rates_app.command("sync")
@clean_errors
def rates_sync(ctx: typer.Context,
               date_from: Annotated[str | None, typer.Option("--from")] = None,
               date_to: Annotated[str | None, typer.Option("--to")] = None) -> None:
    """Fetch the rates from the source now (the sync does it every hour anyway)."""
    body = {k: v for k, v in (("date_from", date_from), ("date_to", date_to)) if v}
    done = gateway(ctx).post("/rates/sync", body)
    out.print(f"{done['source']}: {done['days']} days read, {done['published']} new or "
              f"corrected ({done.get('first') or '-'} – {done.get('last') or '-'})")


__all__ = ["rates_app"]
