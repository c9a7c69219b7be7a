"""The `affbill` command: every action through the gateway's /api/v1."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from affbill_cli import tables
from affbill_cli.client import DEFAULT_URL, Gateway, GatewayError
from affbill_cli.follow import follow

app = typer.Typer(help="affbill: invoicing for affiliate networks, through the gateway.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
sync_app = typer.Typer(help="Update the figures from the adtracker.", no_args_is_help=True)
drafts_app = typer.Typer(help="The manual generator: drafts.", no_args_is_help=True)
invoices_app = typer.Typer(help="The invoice list.", no_args_is_help=True)
jobs_app = typer.Typer(help="The job log.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys (admin).", no_args_is_help=True)
for sub, name in ((sync_app, "sync"), (drafts_app, "drafts"), (invoices_app, "invoices"),
                  (jobs_app, "jobs"), (keys_app, "keys")):
    app.add_typer(sub, name=name)

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
OK = {"succeeded", "succeeded_with_warnings"}


def gateway(ctx: typer.Context) -> Gateway:
    return ctx.obj["gateway"]


def clean_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """A failure is one red line and a non-zero exit code, never a traceback."""
    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except GatewayError as exc:
            err.print(f"[red]affbill: {exc}[/]", highlight=False)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err.print("Stopped following; the job goes on (affbill jobs follow <id>).")
            raise typer.Exit(130) from None
    return run


@app.callback()
def main(ctx: typer.Context,
         url: Annotated[str, typer.Option(envvar="AFFBILL_URL", help="The gateway.")
                        ] = DEFAULT_URL,
         key: Annotated[str | None, typer.Option(envvar="AFFBILL_API_KEY", help="Your API key.",
                                                 show_default=False)] = None) -> None:
    """affbill command line: talks to the gateway (AFFBILL_URL) with your key (AFFBILL_API_KEY)."""
    transport = (ctx.obj or {}).get("transport")  # tests hand in a fake gateway
    ctx.obj = {"gateway": Gateway(url, key, transport)}


def finish(status: str) -> None:
    style = "green" if status in OK else "red"
    out.print(f"[{style}]Job {status.replace('_', ' ')}[/]")
    if status not in OK:
        raise typer.Exit(1)


def started(ctx: typer.Context, answer: dict[str, Any], what: str, bar: bool, wait: bool) -> None:
    job_id = answer["job_id"]
    out.print(f"{what}: job {job_id}")
    if wait:
        finish(follow(gateway(ctx), job_id, out, bar=bar))


@sync_app.command("standard")
@clean_errors
def sync_standard(ctx: typer.Context, connector: str = "hasoffers-sim",
                  wait: Annotated[bool, typer.Option(help="Follow until it ends.")] = True
                  ) -> None:
    """Employees, advertisers, affiliates, stats and pending conversions."""
    answer = gateway(ctx).post("/adtracker/syncs", {"connector": connector, "scope": "standard"})
    started(ctx, answer, "Standard sync requested", bar=True, wait=wait)


@sync_app.command("partial")
@clean_errors
def sync_partial(ctx: typer.Context, connector: str = "hasoffers-sim",
                 wait: Annotated[bool, typer.Option(help="Follow until it ends.")] = True
                 ) -> None:
    """Stats and pending conversions only."""
    answer = gateway(ctx).post("/adtracker/syncs", {"connector": connector, "scope": "partial"})
    started(ctx, answer, "Partial sync requested", bar=True, wait=wait)


@app.command("generator")
@clean_errors
def generator(ctx: typer.Context, customer: str | None = None, page: int = 1,
              page_size: int = 50) -> None:
    """The generator: one line per customer with open items."""
    body = gateway(ctx).get("/generator", customer=customer, page=page, page_size=page_size)
    out.print(tables.generator(body))


@app.command("periods")
@clean_errors
def periods(ctx: typer.Context,
            frequency: Annotated[str, typer.Option(
                help="weekly, biweekly, monthly or quarterly.")] = "monthly",
            count: Annotated[int, typer.Option(help="How many closed periods.")] = 3) -> None:
    """Billing periods, newest first: ready to bill or not, and what they wait for."""
    body = gateway(ctx).get("/periods", frequency=frequency, count=count)
    out.print(tables.periods(body))


@app.command("run")
@clean_errors
def run(ctx: typer.Context,
        all_: Annotated[bool, typer.Option("--all", help="Every customer in the generator.")
                        ] = False,
        customer: Annotated[list[str] | None, typer.Option(help="A customer (repeatable).")
                            ] = None,
        item: Annotated[list[str] | None, typer.Option(help="A billable item (repeatable).")
                        ] = None,
        period: Annotated[str | None, typer.Option(
            help="The billing period: 2026-11, 2026-Q4, 2026-W47 or 2026-11-01..2026-11-14. "
                 "Default: each customer's last closed period.")] = None,
        invoice_date: Annotated[str | None, typer.Option(
            help="today, last_day_of_period or first_day_after_period (default: the "
                 "profile's rule).")] = None,
        due_from: Annotated[str | None, typer.Option(
            help="issue_date or generation_date: what payment days count from (default: "
                 "the profile's).")] = None,
        dry_run: Annotated[bool, typer.Option(
            "--dry-run", help="Show what the run would do (and the change against the "
                              "previous period); change nothing.")] = False,
        force: Annotated[str | None, typer.Option(
            help="Bill a period that is not ready yet; the reason goes into the job log.")
                         ] = None,
        wait: Annotated[bool, typer.Option(help="Follow the job log until it ends.")] = True
        ) -> None:
    """Process selected: bill the chosen customers for a billing period in a background run."""
    if not (all_ or customer or item):
        raise GatewayError("Choose --all, or one or more --customer / --item.", 2)
    body: dict[str, Any] = ({"all": True} if all_ else
                            {"customer_ids": customer or [], "item_ids": item or []})
    options = {"period": period, "invoice_date_rule": invoice_date, "due_date_basis": due_from,
               "force_reason": force, "dry_run": dry_run or None}
    body.update({k: v for k, v in options.items() if v is not None})
    started(ctx, gateway(ctx).post("/runs", body), "Run accepted", bar=False, wait=wait)


# drafts -------------------------------------------------------------------------------------

def version_of(ctx: typer.Context, draft_id: str, version: int | None) -> int:
    return version if version is not None else gateway(ctx).get(f"/drafts/{draft_id}")["version"]


@drafts_app.command("list")
@clean_errors
def drafts_list(ctx: typer.Context, customer: str | None = None, limit: int = 50,
                offset: int = 0) -> None:
    """Drafts with customer, totals, age and approvals."""
    out.print(tables.drafts(gateway(ctx).get("/drafts", customer_id=customer, limit=limit,
                                             offset=offset)))


@drafts_app.command("show")
@clean_errors
def drafts_show(ctx: typer.Context, draft_id: str) -> None:
    """One draft with its presets and lines."""
    out.print(tables.document(gateway(ctx).get(f"/drafts/{draft_id}")))


@drafts_app.command("preview")
@clean_errors
def drafts_preview(ctx: typer.Context, draft_id: str,
                   output: Annotated[Path | None, typer.Option("--out", "-o")] = None) -> None:
    """Save a draft's PDF preview (watermark DRAFT, no number), printed like the invoice."""
    target = output or Path(f"draft-{draft_id}.pdf")
    _save(gateway(ctx), f"/drafts/{draft_id}/preview", target)


def _save(client: Any, path: str, target: Path) -> None:
    """Download to ``target`` through a .part file: a failed download leaves nothing."""
    partial = target.with_name(target.name + ".part")
    try:
        with partial.open("wb") as f:
            size = client.download(path, f)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    out.print(f"Saved {target} ({size} bytes)")


@drafts_app.command("create")
@clean_errors
def drafts_create(ctx: typer.Context, customer: Annotated[str, typer.Option()],
                  item: Annotated[list[str], typer.Option(help="An open item (repeatable).")]
                  ) -> None:
    """Cart into generator: a draft from a customer's open items."""
    draft = gateway(ctx).post("/drafts", {"customer_id": customer, "item_ids": item})
    out.print(tables.document(draft))


@drafts_app.command("issue")
@clean_errors
def drafts_issue(ctx: typer.Context, draft_id: str, version: int | None = None) -> None:
    """Create: issue the draft as an invoice with its number."""
    invoice = gateway(ctx).post(f"/drafts/{draft_id}/issue",
                                {"version": version_of(ctx, draft_id, version)})
    out.print(f"Issued {invoice.get('number', '')} ({invoice.get('invoice_id', '')})")


@drafts_app.command("approve")
@clean_errors
def drafts_approve(ctx: typer.Context, draft_id: str, version: int | None = None) -> None:
    """Approve a draft."""
    gateway(ctx).post(f"/drafts/{draft_id}/approve",
                      {"version": version_of(ctx, draft_id, version)})
    out.print(f"Draft {draft_id} approved")


@drafts_app.command("discard")
@clean_errors
def drafts_discard(ctx: typer.Context, draft_id: str, version: int | None = None) -> None:
    """Discard a draft: its items return to the generator."""
    gateway(ctx).call("DELETE", f"/drafts/{draft_id}",
                      params={"version": version_of(ctx, draft_id, version)})
    out.print(f"Draft {draft_id} discarded")


# invoices -----------------------------------------------------------------------------------

@invoices_app.command("list")
@clean_errors
def invoices_list(ctx: typer.Context, customer: str | None = None,
                  status: str | None = None, number: str | None = None, limit: int = 50,
                  offset: int = 0) -> None:
    """Issued invoices and cancellations."""
    out.print(tables.invoices(gateway(ctx).get("/invoices", customer_id=customer, status=status,
                                               number=number, limit=limit, offset=offset)))


@invoices_app.command("show")
@clean_errors
def invoices_show(ctx: typer.Context, invoice_id: str) -> None:
    """An invoice's metadata: number, totals, document hash."""
    out.print(tables.document(gateway(ctx).get(f"/invoices/{invoice_id}")))


@invoices_app.command("download")
@clean_errors
def invoices_download(ctx: typer.Context, invoice_id: str,
                      xml: Annotated[bool, typer.Option("--xml", help="The XML, not the PDF.")
                                     ] = False,
                      output: Annotated[Path | None, typer.Option("--out", "-o")] = None) -> None:
    """Save the PDF/A-3 (or its EN 16931 XML)."""
    kind = "xml" if xml else "pdf"
    target = output or Path(f"{invoice_id}.{kind}")
    _save(gateway(ctx), f"/invoices/{invoice_id}/{kind}", target)


@invoices_app.command("cancel")
@clean_errors
def invoices_cancel(ctx: typer.Context, invoice_id: str) -> None:
    """Cancel an invoice: a cancellation document references it."""
    document = gateway(ctx).post(f"/invoices/{invoice_id}/cancel")
    out.print(f"Cancelled by {document.get('number', '')} ({document.get('invoice_id', '')})")


# jobs ---------------------------------------------------------------------------------------

@jobs_app.command("list")
@clean_errors
def jobs_list(ctx: typer.Context, kind: str | None = None, status: str | None = None,
              limit: int = 50, offset: int = 0) -> None:
    """The job log: newest first."""
    out.print(tables.jobs(gateway(ctx).get("/jobs", kind=kind, status=status, limit=limit,
                                           offset=offset)))


@jobs_app.command("show")
@clean_errors
def jobs_show(ctx: typer.Context, job_id: str) -> None:
    """A job with its progress and first log lines."""
    out.print(tables.job(gateway(ctx).get(f"/jobs/{job_id}")))


@jobs_app.command("follow")
@clean_errors
def jobs_follow(ctx: typer.Context, job_id: str) -> None:
    """Print a job's log lines as they come, until it ends."""
    finish(follow(gateway(ctx), job_id, out, bar=True))


# keys ---------------------------------------------------------------------------------------

@keys_app.command("create")
@clean_errors
def keys_create(ctx: typer.Context, name: str,
                role: Annotated[str, typer.Option(help="admin, accountant or viewer.")]
                ) -> None:
    """A new API key; its secret is shown this once."""
    made = gateway(ctx).post("/keys", {"name": name, "role": role})
    out.print(f"Key {made['key_id']} for {made['name']} ({made['role']}):")
    out.print(made["key"], highlight=False)
    err.print("Store it now: the gateway keeps only its hash.")


@keys_app.command("list")
@clean_errors
def keys_list(ctx: typer.Context, revoked: bool = False) -> None:
    """API keys (never their secrets)."""
    out.print(tables.keys(gateway(ctx).get("/keys", revoked=revoked, limit=500)))


@keys_app.command("revoke")
@clean_errors
def keys_revoke(ctx: typer.Context, key_id: str) -> None:
    """Revoke a key: it stops working at once."""
    key = gateway(ctx).call("DELETE", f"/keys/{key_id}")
    out.print(f"Revoked {key['name']} ({key['prefix']}…)")



# audit (its commands live in affbill_cli.audit, which takes the helpers above) --------------

from affbill_cli.audit import audit_app  # noqa: E402

app.add_typer(audit_app, name="audit")

from affbill_cli.entities import entities_app  # noqa: E402

app.add_typer(entities_app, name="entities")

from affbill_cli.series import series_app  # noqa: E402

app.add_typer(series_app, name="series")
from affbill_cli.rates import rates_app  # noqa: E402

app.add_typer(rates_app, name="rates")
from affbill_cli.affiliates import affiliates_app  # noqa: E402

app.add_typer(affiliates_app, name="affiliates")
