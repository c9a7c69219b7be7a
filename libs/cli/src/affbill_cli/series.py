"""`affbill series list|show|create|edit`: number series as data (the format is fixed once
a series numbered documents). Registered by main.py."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from affbill_cli.entities import Sets, changes_of
from affbill_cli.main import clean_errors, gateway, out

series_app = typer.Typer(help="Number series: prefix, counter width, suffix, start, reset.",
                         no_args_is_help=True)


def _table(rows: list[dict[str, Any]]) -> Table:
    table = Table("series", "prefix", "width", "suffix", "start", "reset", "corrections",
                  "last counter", "example")
    for r in rows:
        table.add_row(r["series"], r["prefix"], str(r["padding"]), r["suffix"], str(r["start"]),
                      r["reset"], r["cancellation_suffix"], str(r["last_counter"] or ""),
                      r["example"])
    return table


@series_app.command("list")
@clean_errors
def list_series(ctx: typer.Context) -> None:
    """Every number series."""
    out.print(_table(gateway(ctx).get("/number-series")))


@series_app.command("show")
@clean_errors
def show(ctx: typer.Context, series: str) -> None:
    """One number series."""
    out.print(_table([gateway(ctx).get(f"/number-series/{series}")]))


@series_app.command("create")
@clean_errors
def create(ctx: typer.Context, series: str,
           prefix: Annotated[str, typer.Option(help="e.g. CN-{yyyy}- ({yyyy}: the year)")],
           suffix: str = "", padding: int = 5, start: int = 1,
           cancellation_suffix: str = "-S",
           reset: Annotated[str, typer.Option(help="never or yearly")] = "never") -> None:
    """Create a number series."""
    body = {"series": series, "prefix": prefix, "suffix": suffix, "padding": padding,
            "start": start, "cancellation_suffix": cancellation_suffix, "reset": reset}
    out.print(_table([gateway(ctx).post("/number-series", body)]))


@series_app.command("edit")
@clean_errors
def edit(ctx: typer.Context, series: str, set_: Sets = None) -> None:
    """Change a series' format (refused once it numbered documents)."""
    out.print(_table([gateway(ctx).call("PATCH", f"/number-series/{series}",
                                        json=changes_of(set_ or []))]))
