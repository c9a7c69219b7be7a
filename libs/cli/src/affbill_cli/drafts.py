"""`affbill drafts …`: the manual way. Cart a customer's period, edit presets and lines,
discounts and bonuses, custom invoices, preview, approve, Create (issue) and discard.

Every edit sends the draft version the clerk saw: `--version N`, or `--latest` to take the
draft as it is now (the CLI reads it first). Registered by main.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from affbill_cli import tables
from affbill_cli.client import GatewayError
from affbill_cli.entities import Sets, changes_of
from affbill_cli.main import clean_errors, gateway, out, save, show
from affbill_cli.output import AsCsv, AsJson, money, plural
from affbill_cli.periods import period_range
from affbill_cli.short_ids import DraftId

drafts_app = typer.Typer(help="The manual generator: drafts and custom invoices.",
                         no_args_is_help=True)

VersionOpt = Annotated[int | None, typer.Option(help="The draft version you saw (drafts "
                                                     "show); 409 if it moved on.")]
LatestOpt = Annotated[bool, typer.Option("--latest", help="Act on the draft as it is now, "
                                                        "without the stale-version check.")]
PAGE = 1000
MAX_ITEMS = 100_000


def version_of(ctx: typer.Context, draft_id: str, version: int | None, latest: bool) -> int:
    """The version the clerk names; `--latest` reads the current one; neither: refused."""
    if version is not None and latest:
        raise GatewayError("Give --version N or --latest, not both.", 2)
    if version is not None:
        return version
    if latest:
        return int(gateway(ctx).get(f"/drafts/{draft_id}")["version"])
    raise GatewayError(f"Which version of draft {draft_id} did you check? Give --version N "
                       f"(affbill drafts show {draft_id}) or --latest.", 2)


def print_draft(draft: dict[str, Any], as_json: bool = False) -> None:
    """A draft: presets and totals, then its lines with their ids (what lines edit takes)."""
    if as_json:
        show(draft, tables.fields("", {}), as_json=True)
        return
    cur = draft.get("currency")
    head = {k: draft.get(k) for k in ("draft_id", "customer_id", "customer_name", "status",
                                      "version", "currency", "document_type", "created_by")}
    totals = draft.get("totals") or {}
    head.update({k: f"{money(v, cur)} {cur}" for k, v in totals.items()})
    approvals = draft.get("approvals") or {}
    head["approvals"] = f"{approvals.get('count', 0)}/{approvals.get('required', 0)}"
    head["items"] = draft.get("items")
    show(draft, tables.fields(f"Draft {draft.get('draft_id')}", head))
    presets = {k: v for k, v in (draft.get("presets") or {}).items() if v not in (None, "", {})}
    show(draft, tables.fields("Presets (affbill drafts edit ID --set field=value)", presets))
    show(draft, tables.lines(draft, cur))
    for n, a in enumerate(draft.get("allowances_charges") or []):
        kind = "charge" if a.get("charge") else "allowance"
        out.print(f"Document {kind} {n}: {money(a.get('amount'), cur)} {cur} "
                  f"({a.get('reason') or a.get('reason_code') or ''})", highlight=False)


@drafts_app.command("list")
@clean_errors
def drafts_list(ctx: typer.Context, customer: str | None = None, limit: int = 50,
                offset: int = 0, as_json: AsJson = False, as_csv: AsCsv = False) -> None:
    """Drafts with customer, totals, age and approvals."""
    body = gateway(ctx).get("/drafts", customer_id=customer, limit=limit, offset=offset)
    show(body, tables.drafts(body), as_json, as_csv)


@drafts_app.command("show")
@clean_errors
def drafts_show(ctx: typer.Context, draft_id: DraftId, as_json: AsJson = False) -> None:
    """One draft with its presets, totals and lines (with the line ids edits take)."""
    print_draft(gateway(ctx).get(f"/drafts/{draft_id}"), as_json)


@drafts_app.command("preview")
@clean_errors
def drafts_preview(ctx: typer.Context, draft_id: DraftId,
                   output: Annotated[Path | None, typer.Option("--out", "-o")] = None) -> None:
    """Save a draft's PDF preview (watermark DRAFT, no number), printed like the invoice."""
    save(gateway(ctx), f"/drafts/{draft_id}/preview", output or Path(f"draft-{draft_id}.pdf"))


def open_items(ctx: typer.Context, customer: str, period: str | None, offer: str | None,
               currency: str | None) -> list[str]:
    """The ids of a customer's open items in the period (every page), not in a draft."""
    first, last = period_range(period) if period else (None, None)
    ids: list[str] = []
    for page in range(1, MAX_ITEMS // PAGE + 1):
        body = gateway(ctx).get(f"/generator/{customer}/items", period_from=first,
                                period_to=last, offer_id=offer, currency=currency, page=page,
                                page_size=PAGE)
        found = body.get("items", [])
        ids += [i["item_id"] for i in found if not i.get("draft_id")]
        if len(found) < PAGE:
            return ids
    return ids


@drafts_app.command("create")
@clean_errors
def drafts_create(ctx: typer.Context, customer: Annotated[str, typer.Option()],
                  period: Annotated[str | None, typer.Option(
                      help="2026-11, 2026-Q4, 2026-W47 or 2026-11-01..2026-11-14: every open "
                           "item of these days.")] = None,
                  offer: Annotated[str | None, typer.Option(help="Only this offer.")] = None,
                  currency: Annotated[str | None, typer.Option(help="Only this currency.")
                                      ] = None,
                  item: Annotated[list[str] | None, typer.Option(
                      help="An open item (repeatable), instead of a filter.")] = None,
                  as_json: AsJson = False) -> None:
    """Cart into generator: a draft from a customer's open items, chosen by filter
    (--period, --offer, --currency) or by id (--item)."""
    ids = list(item or []) or open_items(ctx, customer, period, offer, currency)
    if not ids:
        raise GatewayError(f"No open items of {customer} match (affbill items --customer "
                           f"{customer}).", 1)
    draft = gateway(ctx).post("/drafts", {"customer_id": customer, "item_ids": ids})
    if not as_json:
        out.print(f"Draft {draft['draft_id']} with {plural(len(ids), 'item')}")
    print_draft(draft, as_json)


@drafts_app.command("custom")
@clean_errors
def drafts_custom(ctx: typer.Context, customer: Annotated[str, typer.Option()],
                  line: Annotated[list[str], typer.Option(
                      help="description=…,unit_price=…[,quantity=…][,vat_rate=…] "
                           "(repeatable; key=value pairs, comma-separated).")],
                  currency: str | None = None,
                  supply_date: Annotated[str | None, typer.Option(
                      help="Date of supply (YYYY-MM-DD) when no line names a period.")] = None,
                  as_json: AsJson = False) -> None:
    """A custom invoice: a draft with free lines (no billable items)."""
    body: dict[str, Any] = {"customer_id": customer, "lines": [pairs(x) for x in line]}
    body.update({k: v for k, v in (("currency", currency), ("supply_date", supply_date)) if v})
    print_draft(gateway(ctx).post("/drafts/custom", body), as_json)


def pairs(spec: str) -> dict[str, Any]:
    """`description=Setup fee,unit_price=100` as a line's fields."""
    fields: dict[str, Any] = {}
    for part in spec.split(","):
        name, sep, value = part.partition("=")
        if not sep or not name.strip():
            raise GatewayError(f"A line is key=value pairs separated by commas, not {spec!r}",
                               2)
        fields[name.strip()] = value.strip()
    return fields


@drafts_app.command("edit")
@clean_errors
def drafts_edit(ctx: typer.Context, draft_id: DraftId, set_: Sets = None,
                version: VersionOpt = None, latest: LatestOpt = False,
                as_json: AsJson = False) -> None:
    """Change presets of this invoice only (billing_name, payment_days, intro_text,
    supply_date, …); the customer's profile stays as it is."""
    body = {**changes_of(set_ or []), "version": version_of(ctx, draft_id, version, latest)}
    print_draft(gateway(ctx).call("PATCH", f"/drafts/{draft_id}", json=body), as_json)


@drafts_app.command("issue")
@clean_errors
def drafts_issue(ctx: typer.Context, draft_id: DraftId, version: VersionOpt = None,
                 latest: LatestOpt = False) -> None:
    """Create: issue the draft (the version you checked, or --latest) with its number."""
    invoice = gateway(ctx).post(f"/drafts/{draft_id}/issue",
                                {"version": version_of(ctx, draft_id, version, latest)})
    out.print(f"Issued {invoice.get('number', '')} ({invoice.get('invoice_id', '')})")


@drafts_app.command("approve")
@clean_errors
def drafts_approve(ctx: typer.Context, draft_id: DraftId, version: VersionOpt = None,
                   latest: LatestOpt = False) -> None:
    """Approve a draft (the version you checked, or --latest)."""
    gateway(ctx).post(f"/drafts/{draft_id}/approve",
                      {"version": version_of(ctx, draft_id, version, latest)})
    out.print(f"Draft {draft_id} approved")


@drafts_app.command("discard")
@clean_errors
def drafts_discard(ctx: typer.Context, draft_id: DraftId, version: VersionOpt = None,
                   latest: LatestOpt = False) -> None:
    """Discard a draft: its items return to the generator."""
    gateway(ctx).call("DELETE", f"/drafts/{draft_id}",
                      params={"version": version_of(ctx, draft_id, version, latest)})
    out.print(f"Draft {draft_id} discarded")
