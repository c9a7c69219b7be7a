"""`affbill invoices …`: the issued documents. List, show with drill-down (lines → items →
stat rows), download, cancel, and partial credit notes. Registered by main.py."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from affbill_cli import tables
from affbill_cli.client import GatewayError
from affbill_cli.main import clean_errors, gateway, out, save, show
from affbill_cli.output import AsCsv, AsJson, money
from affbill_cli.short_ids import InvoiceId

invoices_app = typer.Typer(help="Issued invoices, cancellations and credit notes.",
                           no_args_is_help=True)


@invoices_app.command("list")
@clean_errors
def invoices_list(ctx: typer.Context, customer: str | None = None,
                  status: str | None = None, number: str | None = None, limit: int = 50,
                  offset: int = 0, as_json: AsJson = False, as_csv: AsCsv = False) -> None:
    """Issued invoices, cancellations and credit notes."""
    body = gateway(ctx).get("/invoices", customer_id=customer, status=status, number=number,
                            limit=limit, offset=offset)
    show(body, tables.invoices(body), as_json, as_csv)


@invoices_app.command("show")
@clean_errors
def invoices_show(ctx: typer.Context, invoice_id: InvoiceId,
                  lines: Annotated[bool, typer.Option("--lines", help="Its lines, with the "
                                                      "number of items each bills.")] = False,
                  items: Annotated[bool, typer.Option("--items", help="The billable items it "
                                                      "billed (of --line N only).")] = False,
                  line: Annotated[int | None, typer.Option(help="One line (by its number).")
                                  ] = None,
                  as_json: AsJson = False, as_csv: AsCsv = False) -> None:
    """An invoice's metadata (number, totals, document hash); --lines and --items drill
    down to what it billed (then: affbill items ITEM for an item's stat rows)."""
    if items or line is not None:
        body = gateway(ctx).get(f"/invoices/{invoice_id}/items", line_no=line, limit=500)
        show(body, tables.items(body), as_json, as_csv)
    elif lines:
        body = gateway(ctx).get(f"/invoices/{invoice_id}/lines")
        show(body, tables.lines(body, body.get("currency")), as_json, as_csv)
    else:
        body = gateway(ctx).get(f"/invoices/{invoice_id}")
        cur = body.get("currency")
        values = {k: (money(v, cur) if k.endswith("_total") else v) for k, v in body.items()
                  if not isinstance(v, (dict, list))}
        show(body, tables.fields(f"Invoice {body.get('number') or invoice_id}", values),
             as_json)


@invoices_app.command("download")
@clean_errors
def invoices_download(ctx: typer.Context, invoice_id: InvoiceId,
                      xml: Annotated[bool, typer.Option("--xml", help="The XML, not the PDF.")
                                     ] = False,
                      output: Annotated[Path | None, typer.Option("--out", "-o")] = None) -> None:
    """Save the PDF/A-3 (or its EN 16931 XML)."""
    kind = "xml" if xml else "pdf"
    save(gateway(ctx), f"/invoices/{invoice_id}/{kind}", output or Path(f"{invoice_id}.{kind}"))


@invoices_app.command("cancel")
@clean_errors
def invoices_cancel(ctx: typer.Context, invoice_id: InvoiceId) -> None:
    """Cancel an invoice: a cancellation document references it; its items return."""
    document = gateway(ctx).post(f"/invoices/{invoice_id}/cancel")
    out.print(f"Cancelled by {document.get('number', '')} ({document.get('invoice_id', '')})")


def credited_lines(specs: list[str]) -> list[dict[str, Any]]:
    """`3` (all of line 3) or `3:2.5` (2.5 units of it)."""
    lines = []
    for spec in specs:
        no, _, quantity = spec.partition(":")
        if not no.strip().isdigit():
            raise GatewayError(f"--line wants N or N:quantity, not {spec!r}", 2)
        lines.append({"line_no": int(no), **({"quantity": quantity} if quantity else {})})
    return lines


@invoices_app.command("credit")
@clean_errors
def invoices_credit(ctx: typer.Context, invoice_id: InvoiceId,
                    line: Annotated[list[str] | None, typer.Option(
                        help="Credit a line: N (all of it) or N:quantity (repeatable).")
                                    ] = None,
                    amount: Annotated[str | None, typer.Option(
                        help="Credit a net amount instead (invoices with one VAT rate).")
                                      ] = None,
                    reason: Annotated[str | None, typer.Option(help="Printed on it.")] = None
                    ) -> None:
    """A partial credit note against an issued invoice: chosen lines, or a net amount."""
    if not line and amount is None:
        raise GatewayError("Choose --line N[:quantity] (repeatable) or --amount.", 2)
    body: dict[str, Any] = {"lines": credited_lines(line or [])}
    body.update({k: v for k, v in (("amount", amount), ("reason", reason)) if v is not None})
    note = gateway(ctx).post(f"/invoices/{invoice_id}/credit-notes", body)
    totals = note.get("totals") or {}
    out.print(f"Credit note {note.get('number', '')} ({note.get('invoice_id', '')}): "
              f"{money(totals.get('gross'), note.get('currency'))} {note.get('currency', '')}")
