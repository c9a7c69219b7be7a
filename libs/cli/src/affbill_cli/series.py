"""`affbill series list|show|create|edit`: number series as data (the format is fixed once
a series numbered documents). Registered by main.py."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from affbill_cli.entities import Sets, changes_of
from affbill_cli.main import clean_errors, gateway
from affbill_cli.main import show as show_list
from affbill_cli.output import AsCsv, AsJson, field

series_app = typer.Typer(help="Number series: prefix, counter width, suffix, start, reset.",
                         no_args_is_help=True)


COLUMNS = [field("Series", "series", 9), field("Prefix", "prefix", 8),
           field("Width", "padding", 4, right=True), field("Suffix", "suffix", 5),
           field("Start", "start", 3, right=True), field("Reset", "reset", 6),
           field("Corrections", "cancellation_suffix", 2),
           field("Last counter", "last_counter", 7, right=True),
           field("Example", "example", 8)]


def _table(rows: list[dict[str, Any]], body: Any = None, as_json: bool = False,
           as_csv: bool = False) -> None:
    show_list(rows if body is None else body, (f"Number series: {len(rows)}", rows, COLUMNS),
         as_json, as_csv)


@series_app.command("list")
@clean_errors
def list_series(ctx: typer.Context, as_json: AsJson = False, as_csv: AsCsv = False) -> None:
    """Every number series."""
    _table(gateway(ctx).get("/number-series"), None, as_json, as_csv)


@series_app.command("show")
@clean_errors
def show(ctx: typer.Context, series: str) -> None:
    """One number series."""
    _table([gateway(ctx).get(f"/number-series/{series}")])


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
    _table([gateway(ctx).post("/number-series", body)])


@series_app.command("edit")
@clean_errors
def edit(ctx: typer.Context, series: str, set_: Sets = None) -> None:
    """Change a series' format (refused once it numbered documents)."""
    _table([gateway(ctx).call("PATCH", f"/number-series/{series}",
                              json=changes_of(set_ or []))])
