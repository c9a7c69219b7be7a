"""Short ids: the tables print the first 8 characters of a long id, and every command that
takes a draft, invoice or job id takes such a prefix too, resolved against the newest 500
of its kind (an unknown or ambiguous prefix is refused, naming the candidates)."""

from __future__ import annotations

import re
from typing import Annotated, Any

import click
import typer

SHORT = re.compile(r"[0-9a-f]{4,35}")
KINDS = {"draft": ("/drafts", "draft_id"), "invoice": ("/invoices", "invoice_id"),
         "job": ("/jobs", "job_id")}


def whole(ctx: click.Context, kind: str, value: str) -> str:
    """`value` itself, or the one id of its kind that starts with it."""
    if not SHORT.fullmatch(value):
        return value
    path, key = KINDS[kind]
    gateway = (ctx.find_root().obj or {})["gateway"]
    try:
        listed = gateway.get(path, limit=500).get("items", [])
    except Exception as exc:  # the gateway's own message, as one line
        raise typer.BadParameter(str(exc)) from None
    found = [str(x[key]) for x in listed if str(x.get(key, "")).startswith(value)]
    if len(found) != 1:
        raise typer.BadParameter(
            f"no {kind} id starts with {value}" if not found else
            f"{value} could be {', '.join(found[:3])}{' …' if len(found) > 3 else ''}")
    return found[0]


def _arg(kind: str) -> Any:
    return typer.Argument(help=f"The {kind} id, or its first characters as tables show them.",
                          callback=lambda ctx, value: whole(ctx, kind, value))


DraftId = Annotated[str, _arg("draft")]
InvoiceId = Annotated[str, _arg("invoice")]
JobId = Annotated[str, _arg("job")]
