"""`affbill entities list|show|create|edit`: the seller entities that issue documents.

Registered by main.py (which it takes the gateway, the console and the error handling from).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from affbill_cli.client import GatewayError
from affbill_cli.main import clean_errors, gateway, out

entities_app = typer.Typer(help="Seller entities: the companies that issue documents.",
                           no_args_is_help=True)
Fields = Annotated[Path, typer.Argument(help="A JSON file with the entity's fields.")]
Sets = Annotated[list[str] | None, typer.Option(
    "--set", help="field=value (JSON values allowed, e.g. managing_directors='[\"A\"]').")]


def _table(entities: list[dict[str, Any]]) -> Table:
    table = Table("entity", "legal name", "country", "VAT id", "tax no.", "register",
                  "IBAN", "version")
    for e in entities:
        bank = (e.get("bank_accounts") or [{}])[0]
        table.add_row(e["entity"], e["legal_name"], e["country"], e.get("vat_id") or "",
                      e.get("tax_number") or "", e.get("company_register") or "",
                      bank.get("iban") or "", str(e.get("version") or ""))
    return table


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def changes_of(sets: list[str]) -> dict[str, Any]:
    """`--set field=value` pairs as the PATCH body."""
    body: dict[str, Any] = {}
    for item in sets:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise GatewayError(f"--set wants field=value, not {item!r}", 2)
        body[name.strip()] = _value(value)
    return body


@entities_app.command("list")
@clean_errors
def list_entities(ctx: typer.Context) -> None:
    """Every seller entity."""
    out.print(_table(gateway(ctx).get("/seller-entities")))


@entities_app.command("show")
@clean_errors
def show(ctx: typer.Context, entity: str) -> None:
    """One seller entity, all its fields."""
    out.print_json(data=gateway(ctx).get(f"/seller-entities/{entity}"))


@entities_app.command("create")
@clean_errors
def create(ctx: typer.Context, entity: str, fields: Fields) -> None:
    """Create a seller entity from a JSON file of its fields."""
    body = {**json.loads(fields.read_text(encoding="utf-8")), "entity": entity}
    out.print(_table([gateway(ctx).post("/seller-entities", body)]))


@entities_app.command("edit")
@clean_errors
def edit(ctx: typer.Context, entity: str, set_: Sets = None,
         version: Annotated[int | None, typer.Option(help="The version you edited.")] = None
         ) -> None:
    """Change fields of a seller entity."""
    body = changes_of(set_ or [])
    if version is not None:
        body["version"] = version
    out.print(_table([gateway(ctx).call("PATCH", f"/seller-entities/{entity}", json=body)]))
