"""`affbill entities list|show|create|edit`: the seller entities that issue documents.

Registered by main.py (which it takes the gateway, the console and the error handling from).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from affbill_cli.client import GatewayError
from affbill_cli.main import clean_errors, gateway
from affbill_cli.main import show as show_list
from affbill_cli.output import AsCsv, AsJson, Col, field

entities_app = typer.Typer(help="Seller entities: the companies that issue documents.",
                           no_args_is_help=True)
Fields = Annotated[Path, typer.Argument(help="A JSON file with the entity's fields.")]
Sets = Annotated[list[str] | None, typer.Option(
    "--set", help="field=value (JSON values allowed, e.g. managing_directors='[\"A\"]').")]


COLUMNS = [field("Entity", "entity", 9), field("Legal name", "legal_name", 9),
           field("Country", "country", 7), field("VAT id", "vat_id", 6),
           field("Tax no.", "tax_number", 3), field("Register", "company_register", 2),
           Col("IBAN", "iban", lambda e: (e.get("bank_accounts") or [{}])[0].get("iban"), 4),
           field("Version", "version", 5, right=True)]


def _table(entities: list[dict[str, Any]], body: Any = None, as_json: bool = False,
           as_csv: bool = False) -> None:
    show_list(entities if body is None else body,
         (f"Seller entities: {len(entities)}", entities, COLUMNS), as_json, as_csv)


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
def list_entities(ctx: typer.Context, as_json: AsJson = False, as_csv: AsCsv = False) -> None:
    """Every seller entity."""
    _table(gateway(ctx).get("/seller-entities"), None, as_json, as_csv)


@entities_app.command("show")
@clean_errors
def show(ctx: typer.Context, entity: str) -> None:
    """One seller entity, all its fields."""
    show_list(gateway(ctx).get(f"/seller-entities/{entity}"), ("", [], []), as_json=True)


@entities_app.command("create")
@clean_errors
def create(ctx: typer.Context, entity: str, fields: Fields) -> None:
    """Create a seller entity from a JSON file of its fields."""
    body = {**json.loads(fields.read_text(encoding="utf-8")), "entity": entity}
    _table([gateway(ctx).post("/seller-entities", body)])


@entities_app.command("edit")
@clean_errors
def edit(ctx: typer.Context, entity: str, set_: Sets = None,
         version: Annotated[int | None, typer.Option(help="The version you edited.")] = None
         ) -> None:
    """Change fields of a seller entity."""
    body = changes_of(set_ or [])
    if version is not None:
        body["version"] = version
    _table([gateway(ctx).call("PATCH", f"/seller-entities/{entity}", json=body)])
