"""`affbill affiliates payouts export`: the payout files for the affiliates' issued credit
notes — SEPA credit transfers (pain.001.001.09) for EUR by SEPA, a CSV for the rest —
written into a folder; billing marks each credit note "payout exported" with the file id."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from affbill_cli.main import clean_errors, gateway, out

payouts_app = typer.Typer(help="Payout files for the affiliates' credit notes.",
                          no_args_is_help=True)


@payouts_app.command("export")
@clean_errors
def export(ctx: typer.Context,
           credit_note: Annotated[list[str] | None, typer.Option(
               help="A credit note's id (repeatable); default: every one not exported.")
                              ] = None,
           affiliate: Annotated[list[str] | None, typer.Option(
               help="Only this affiliate's credit notes (repeatable).")] = None,
           entity: Annotated[str | None, typer.Option(help="Only this seller entity's.")
                             ] = None,
           again: Annotated[bool, typer.Option(
               help="Export named credit notes again although already exported.")] = False,
           execution_date: Annotated[str | None, typer.Option(
               help="Requested execution date (YYYY-MM-DD), default today.")] = None,
           out_dir: Annotated[Path, typer.Option(
               "--out", help="Folder the files are written to.")] = Path("."),
           ) -> None:
    """Write the payout files and mark their credit notes "payout exported"."""
    body: dict[str, Any] = {"again": again}
    for key, value in (("credit_note_ids", credit_note), ("customer_ids", affiliate),
                       ("entity", entity), ("execution_date", execution_date)):
        if value:
            body[key] = value
    answer = gateway(ctx).post("/payouts/exports", body)
    out_dir.mkdir(parents=True, exist_ok=True)
    table = Table("file", "format", "entity", "credit notes", "total", title="Payout files")
    for f in answer["files"]:
        (out_dir / f["filename"]).write_text(f["content"], encoding="utf-8")
        table.add_row(str(out_dir / f["filename"]), f["format"], f["entity"],
                      str(len(f["credit_notes"])), f"{f['total']} {f['currency']}")
    out.print(table if answer["files"] else "No credit notes to pay out")
    for skipped in answer["skipped"]:
        out.print(f"Not paid out: {skipped['number']}: {skipped['reason']}")
    out.print(f"Job {answer['job_id']}")
