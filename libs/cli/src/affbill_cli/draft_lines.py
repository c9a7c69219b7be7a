"""`affbill drafts lines add|edit|remove`, `drafts discount` and `drafts bonus`: a draft's
lines, line discounts, document discounts and bonus lines, each with the version the clerk
saw (or --latest). Registered by main.py."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from affbill_cli.client import GatewayError
from affbill_cli.drafts import LatestOpt, VersionOpt, drafts_app, pairs, print_draft, version_of
from affbill_cli.entities import Sets, changes_of
from affbill_cli.main import clean_errors, gateway
from affbill_cli.short_ids import SHORT, DraftId

lines_app = typer.Typer(help="A draft's lines: add, edit, remove.", no_args_is_help=True)


def line_of(ctx: typer.Context, draft_id: str, line_id: str) -> str:
    """The line id, or the one of the draft's lines that starts with it (as tables show)."""
    if not SHORT.fullmatch(line_id):
        return line_id
    ids = [x["line_id"] for x in gateway(ctx).get(f"/drafts/{draft_id}").get("lines", [])
           if str(x.get("line_id", "")).startswith(line_id)]
    if len(ids) != 1:
        raise GatewayError(f"{len(ids) or 'No'} lines of draft {draft_id} start with "
                           f"{line_id}: affbill drafts show {draft_id}", 2)
    return str(ids[0])


def _adjust(ctx: typer.Context, draft_id: str, amount: str, reason: str, charge: bool,
            version: int | None, latest: bool, replace: bool) -> dict[str, Any]:
    current = gateway(ctx).get(f"/drafts/{draft_id}")
    kept = [] if replace else [{k: a.get(k) for k in ("charge", "amount", "reason",
                                                      "reason_code", "vat_category",
                                                      "vat_rate") if a.get(k) is not None}
                               for a in current.get("allowances_charges") or []]
    new = {"charge": charge, "amount": amount, "reason": reason}
    body = {"version": version_of(ctx, draft_id, version, latest),
            "allowances_charges": [*kept, new]}
    return gateway(ctx).call("PATCH", f"/drafts/{draft_id}", json=body)


@drafts_app.command("discount")
@clean_errors
def drafts_discount(ctx: typer.Context, draft_id: DraftId, amount: str,
                    reason: Annotated[str, typer.Option(help="Printed on the invoice.")],
                    version: VersionOpt = None, latest: LatestOpt = False,
                    replace: Annotated[bool, typer.Option(
                        help="Replace the draft's document discounts and charges.")] = False
                    ) -> None:
    """A discount on the whole document (net amount; VAT as the draft's)."""
    print_draft(_adjust(ctx, draft_id, amount, reason, False, version, latest, replace))


@drafts_app.command("bonus")
@clean_errors
def drafts_bonus(ctx: typer.Context, draft_id: DraftId, amount: str,
                 reason: Annotated[str, typer.Option(help="Printed on the invoice.")],
                 version: VersionOpt = None, latest: LatestOpt = False) -> None:
    """A bonus line (a charge the customer pays, e.g. a performance bonus)."""
    body = {"version": version_of(ctx, draft_id, version, latest),
            "line": {"description": reason, "unit_price": amount}}
    print_draft(gateway(ctx).post(f"/drafts/{draft_id}/lines", body))


@lines_app.command("add")
@clean_errors
def lines_add(ctx: typer.Context, draft_id: DraftId,
              line: Annotated[str, typer.Argument(help="description=…,unit_price=…"
                                                       "[,quantity=…][,vat_rate=…]")],
              version: VersionOpt = None, latest: LatestOpt = False) -> None:
    """Add a free line."""
    body = {"version": version_of(ctx, draft_id, version, latest), "line": pairs(line)}
    print_draft(gateway(ctx).post(f"/drafts/{draft_id}/lines", body))


@lines_app.command("edit")
@clean_errors
def lines_edit(ctx: typer.Context, draft_id: DraftId, line_id: str, set_: Sets = None,
               discount: Annotated[str | None, typer.Option(
                   help="A discount on this line: amount (reason with --reason).")] = None,
               reason: str | None = None,
               version: VersionOpt = None, latest: LatestOpt = False) -> None:
    """Edit a line (description, quantity, unit_price, vat_rate, …) or give it a discount."""
    line_id = line_of(ctx, draft_id, line_id)
    body = changes_of(set_ or [])
    if discount is not None:
        body["allowance"] = {"amount": discount, "reason": reason or "Discount"}
    body["version"] = version_of(ctx, draft_id, version, latest)
    print_draft(gateway(ctx).call("PATCH", f"/drafts/{draft_id}/lines/{line_id}", json=body))


@lines_app.command("remove")
@clean_errors
def lines_remove(ctx: typer.Context, draft_id: DraftId, line_id: str, version: VersionOpt = None,
                 latest: LatestOpt = False) -> None:
    """Remove a line (its items return to the generator)."""
    line_id = line_of(ctx, draft_id, line_id)
    params = {"version": version_of(ctx, draft_id, version, latest)}
    print_draft(gateway(ctx).call("DELETE", f"/drafts/{draft_id}/lines/{line_id}",
                                  params=params))
