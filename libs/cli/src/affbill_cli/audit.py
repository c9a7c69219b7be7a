"""`affbill audit list|verify`: a service's audit trail as a short table, and its chain status.

Registered by main.py (which it takes the gateway, the console and the error handling from).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from affbill_cli.main import clean_errors, gateway, out, show
from affbill_cli.output import AsCsv, AsJson, Col, field, when

audit_app = typer.Typer(help="The audit trail: who changed what, when (admin).",
                        no_args_is_help=True)
Service = Annotated[str, typer.Option(help="gateway (API keys), billing or sync.")]


def _changed(before: Any, after: Any) -> str:
    """What moved, in one short line: the top-level fields that differ, before → after."""
    if before is None:
        return "" if after is None else "created"
    if after is None:
        return "removed"
    if not (isinstance(before, dict) and isinstance(after, dict)):
        return f"{_short(before)} → {_short(after)}"
    parts = [f"{k}: {_short(before.get(k))} → {_short(after.get(k))}"
             for k in sorted(before.keys() | after.keys()) if before.get(k) != after.get(k)]
    return "; ".join(parts)


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 24 else text[:23] + "…"


COLUMNS = [field("#", "seq", 9, right=True), Col("When (UTC)", "at", lambda e: when(e["at"]), 8),
           field("Who", "actor", 8), field("Role", "actor_role", 2),
           field("What", "entity_kind", 7), field("Id", "entity_id", 5, is_id=True),
           field("Action", "action", 9),
           Col("Changed", "changed", lambda e: _changed(e.get("before"), e.get("after")), 4,
               wrap=True)]


def entries_table(body: dict[str, Any]) -> tuple[str, list[dict[str, Any]], list[Col]]:
    return (f"Audit entries: {int(body.get('total', 0))}", body.get("items", []),
            COLUMNS)


@audit_app.command("list")
@clean_errors
def audit_list(ctx: typer.Context, service: Service = "billing",
               kind: Annotated[str | None, typer.Option(help="draft, invoice, billing_profile, "
                                                        "api_key, sync …")] = None,
               entity: Annotated[str | None, typer.Option(help="The entity's id.")] = None,
               user: Annotated[str | None, typer.Option(help="Who acted.")] = None,
               action: str | None = None,
               since: Annotated[str | None, typer.Option("--from", help="ISO time.")] = None,
               until: Annotated[str | None, typer.Option("--to", help="ISO time.")] = None,
               limit: int = 50, offset: int = 0, as_json: AsJson = False,
               as_csv: AsCsv = False) -> None:
    """Entries newest first, with what each changed."""
    body = gateway(ctx).get("/audit", service=service, entity_kind=kind, entity_id=entity,
                            user=user, action=action, limit=limit, offset=offset,
                            **{"from": since, "to": until})
    show(body, entries_table(body), as_json, as_csv)


@audit_app.command("verify")
@clean_errors
def audit_verify(ctx: typer.Context, service: Service = "billing") -> None:
    """Recompute the hash chain: intact, or the first entry where it breaks."""
    status = gateway(ctx).get("/audit/verify", service=service)
    if status["intact"]:
        out.print(f"[green]{service}: audit trail intact[/] — {status['entries']} entries, "
                  f"last #{status['last_seq']} {status['last_hash'][:16]}…")
        return
    out.print(f"[red]{service}: audit trail broken at entry #{status['broken_at']}[/]: "
              f"{status['problem']} ({status['entries']} entries read)")
    raise typer.Exit(1)
