"""How every list is printed: a table that fits the terminal (or a pipe's 80 columns), the
gateway's answer as JSON (`--json`), or the table's columns whole as CSV (`--csv`).

A table never wraps a cell into fragments: when it is too wide, long ids are shortened to
their first 8 characters, then the least important columns are left out (the title says
which); `--json` and `--csv` always carry everything, ids whole.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

AsJson = Annotated[bool, typer.Option("--json", help="The gateway's answer as JSON.")]
AsCsv = Annotated[bool, typer.Option("--csv", help="The columns as CSV, ids whole.")]
SHORT_ID = 8
UNBOUNDED = 100_000
WRAP_MIN = 24  # a wrapped column is at least this wide (or as its longest value)
MINOR_UNITS = {"JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "VND": 0, "HUF": 2, "BHD": 3,
               "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3}
IRREGULAR = {"entry": "entries", "key": "keys", "API key": "API keys", "series": "series"}


def plural(count: int, noun: str) -> str:
    """`1 customer`, `2 customers`, `0 entries`."""
    return f"{count} {noun if count == 1 else IRREGULAR.get(noun, noun + 's')}"


def money(value: Any, currency: str | None = None) -> str:
    """An amount as people read it: rounded to the currency's minor unit (2 by default),
    whatever precision the API sent; not a number: shown as it came."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    places = MINOR_UNITS.get((currency or "").upper(), 2)
    return f"{amount.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP):f}"


def when(value: Any) -> str:
    """A timestamp in any of the API's spellings (`…T…Z`, `…T…+00:00`, `… …+00:00`) as
    `YYYY-MM-DD HH:MM:SS` UTC; a date stays a date."""
    if not value:
        return ""
    text = str(value)
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    if len(text) <= 10:
        return text
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def text(value: Any) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Col:
    """One column: its header, its CSV name, how a row gives its text, and how much it
    matters (columns with the lowest `keep` are left out first; `keep=9`: never)."""

    header: str
    name: str
    cell: Callable[[dict[str, Any]], Any]
    keep: int = 5
    is_id: bool = False
    right: bool = False
    wrap: bool = False  # a long text (a value, a status): wrapped at word ends, never cut


def field(header: str, key: str, keep: int = 5, *, is_id: bool = False,
          right: bool = False, wrap: bool = False) -> Col:
    return Col(header, key, lambda r: r.get(key), keep, is_id, right, wrap)


def emit(console: Console, body: Any, title: str, rows: Sequence[dict[str, Any]],
         columns: Sequence[Col], as_json: bool = False, as_csv: bool = False,
         caption: str | None = None) -> None:
    """Print one list in the format asked for."""
    if as_json:
        sys.stdout.write(json.dumps(body, indent=2, ensure_ascii=False) + "\n")
    elif as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow([c.name for c in columns])
        writer.writerows([[text(c.cell(r)) for c in columns] for r in rows])
    else:
        console.print(fitted(console, title, rows, columns, caption), highlight=False)


def fitted(console: Console, title: str, rows: Sequence[dict[str, Any]],
           columns: Sequence[Col], caption: str | None = None) -> Table:
    """The widest table that fits the console: ids whole, else shortened, then columns
    left out from the least important up."""
    cells = [[text(c.cell(r)) for c in columns] for r in rows]
    kept = list(range(len(columns)))
    for short in (False, True):
        table = _build(title, columns, cells, kept, short, caption)
        if _width(console, table) <= console.width:
            return table
    for drop in sorted(kept, key=lambda i: (columns[i].keep, -i)):
        if columns[drop].keep >= 9 or len(kept) <= 1:
            continue
        kept.remove(drop)
        if _fits(console, title, columns, cells, kept, caption):
            break
    for back in sorted(set(range(len(columns))) - set(kept), key=lambda i: -columns[i].keep):
        if _fits(console, title, columns, cells, sorted([*kept, back]), caption):
            kept = sorted([*kept, back])  # a less important but narrow column fits again
    left_out = [columns[i].header for i in range(len(columns)) if i not in kept]
    return _build(title, columns, cells, kept, True, caption,
                  f"Left out at {console.width} columns: {', '.join(left_out)} "
                  "(--csv has all)." if left_out else None, console.width)


def _fits(console: Console, title: str, columns: Sequence[Col], cells: list[list[str]],
          kept: list[int], caption: str | None) -> bool:
    return _width(console, _build(title, columns, cells, kept, True, caption)) <= console.width


def _build(title: str, columns: Sequence[Col], cells: list[list[str]], kept: list[int],
           short: bool, caption: str | None, note: str | None = None,
           width: int = UNBOUNDED) -> Table:
    below = [line for x in (caption, note) if x for line in textwrap.wrap(x, width - 1)]
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False,
                  caption="\n".join(below) or None, caption_justify="left")
    for i in kept:
        wrap = columns[i].wrap
        table.add_column(columns[i].header, no_wrap=not wrap,
                         overflow="fold" if wrap else "ellipsis",
                         justify="right" if columns[i].right else "left",
                         min_width=min(WRAP_MIN, max(map(len, (r[i] for r in cells)), default=1))
                         if wrap else None)
    for row in cells:
        table.add_row(*[row[i][:SHORT_ID] if short and columns[i].is_id and len(row[i]) > 12
                        else row[i] for i in kept])
    return table


def _width(console: Console, table: Table) -> int:
    """What the table needs. Without wrapping columns: its natural width. With them: as
    rendered at the console's width (wider than that, or with a cell cut short: too wide)."""
    wide = Measurement.get(console, console.options.update_width(UNBOUNDED), table)
    if all(c.no_wrap for c in table.columns):
        return wide.maximum
    if wide.minimum > console.width:
        return wide.minimum
    probe = Console(width=console.width, file=io.StringIO(), color_system=None,
                    soft_wrap=True)  # nothing cropped: a line too long shows as too long
    probe.print(table)
    rendered = probe.file.getvalue()  # type: ignore[attr-defined]
    longest = max((len(line.rstrip()) for line in rendered.splitlines()), default=0)
    cut = rendered.count("…") > sum(c.header.count("…") for c in table.columns) + sum(
        str(x).count("…") for x in (table.title, table.caption) if x)
    return console.width + 1 if cut else longest
