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
from affbill_cli.follow import follow, line_text
from affbill_cli.output import AsCsv, AsJson, emit
from affbill_cli.short_ids import JobId

app = typer.Typer(help="affbill: invoicing for affiliate networks, through the gateway.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
sync_app = typer.Typer(help="Update the figures from the adtracker.", no_args_is_help=True)
jobs_app = typer.Typer(help="The job log.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys (admin).", no_args_is_help=True)
for sub, name in ((sync_app, "sync"), (jobs_app, "jobs"), (keys_app, "keys")):
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


@sync_app.command("republish")
@clean_errors
def sync_republish(
        ctx: typer.Context,
        date_from: Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD).")],
        date_to: Annotated[str, typer.Option("--to", help="Last day (YYYY-MM-DD).")],
        connector: str = "hasoffers-sim",
        wait: Annotated[bool, typer.Option(help="Follow until it ends.")] = True) -> None:
    """A standard sync that publishes every stat row of the window again, changed or not:
    after an upgrade, billing derives the payout items of rows it kept before it kept
    payouts (applying a row twice changes nothing)."""
    answer = gateway(ctx).post("/adtracker/syncs", {
        "connector": connector, "scope": "standard", "date_from": date_from,
        "date_to": date_to, "republish": True})
    started(ctx, answer, "Republishing sync requested", bar=True, wait=wait)


@app.command("generator")
@clean_errors
def generator(ctx: typer.Context, customer: str | None = None, page: int = 1,
              page_size: int = 50, currency: str | None = None,
              account_manager: str | None = None, as_json: AsJson = False,
              as_csv: AsCsv = False) -> None:
    """The generator: one line per customer with open items (drill down: affbill items)."""
    body = gateway(ctx).get("/generator", customer=customer, page=page, page_size=page_size,
                            currency=currency, account_manager=account_manager)
    show(body, tables.generator(body), as_json, as_csv)


def show(body: Any, listing: tables.Listing, as_json: bool = False, as_csv: bool = False,
         caption: str | None = None) -> None:
    """Print a list as a table (fitted to the terminal), JSON or CSV."""
    title, rows, columns = listing
    emit(out, body, title, rows, columns, as_json, as_csv, caption)


@app.command("periods")
@clean_errors
def periods(ctx: typer.Context,
            frequency: Annotated[str, typer.Option(
                help="weekly, biweekly, monthly or quarterly.")] = "monthly",
            count: Annotated[int, typer.Option(help="How many closed periods.")] = 3,
            as_json: AsJson = False, as_csv: AsCsv = False) -> None:
    """Billing periods, newest first: ready to bill or not, and what they wait for."""
    body = gateway(ctx).get("/periods", frequency=frequency, count=count)
    show(body, tables.periods(body), as_json, as_csv)


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


def save(client: Any, path: str, target: Path) -> None:
    """Download to ``target`` through a .part file: a failed download leaves nothing."""
    partial = target.with_name(target.name + ".part")
    try:
        with partial.open("wb") as f:
            size = client.download(path, f)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    out.print(f"Saved {target} ({size} bytes)")


# jobs ---------------------------------------------------------------------------------------

@jobs_app.command("list")
@clean_errors
def jobs_list(ctx: typer.Context, kind: str | None = None, status: str | None = None,
              limit: int = 50, offset: int = 0, as_json: AsJson = False,
              as_csv: AsCsv = False) -> None:
    """The job log: newest first."""
    body = gateway(ctx).get("/jobs", kind=kind, status=status, limit=limit, offset=offset)
    show(body, tables.jobs(body), as_json, as_csv)


@jobs_app.command("show")
@clean_errors
def jobs_show(ctx: typer.Context, job_id: JobId, as_json: AsJson = False) -> None:
    """A job with the progress of each step and its first log lines."""
    body = gateway(ctx).get(f"/jobs/{job_id}")
    show(body, tables.job_steps(body), as_json)
    if not as_json:
        lines = body.get("lines") or {}
        for line in lines.get("items", []) if isinstance(lines, dict) else lines:
            out.print(line_text(line), highlight=False)


@jobs_app.command("follow")
@clean_errors
def jobs_follow(ctx: typer.Context, job_id: JobId) -> None:
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
def keys_list(ctx: typer.Context, revoked: bool = False, as_json: AsJson = False,
              as_csv: AsCsv = False) -> None:
    """API keys (never their secrets)."""
    body = gateway(ctx).get("/keys", revoked=revoked, limit=500)
    show(body, tables.keys(body), as_json, as_csv)


@keys_app.command("revoke")
@clean_errors
def keys_revoke(ctx: typer.Context, key_id: str) -> None:
    """Revoke a key: it stops working at once."""
    key = gateway(ctx).call("DELETE", f"/keys/{key_id}")
    out.print(f"Revoked {key['name']} ({key['prefix']}…)")



# the other command groups live in their own modules, which take the helpers above ---------

from affbill_cli.affiliates import affiliates_app  # noqa: E402
from affbill_cli.audit import audit_app  # noqa: E402
from affbill_cli.customers import customers_app, items_cmd, profile_app  # noqa: E402
from affbill_cli.draft_lines import lines_app  # noqa: E402
from affbill_cli.drafts import drafts_app  # noqa: E402
from affbill_cli.entities import entities_app  # noqa: E402
from affbill_cli.invoices import invoices_app  # noqa: E402
from affbill_cli.rates import rates_app  # noqa: E402
from affbill_cli.schedules import schedules_app  # noqa: E402
from affbill_cli.series import series_app  # noqa: E402

for sub, name in ((drafts_app, "drafts"), (invoices_app, "invoices"),
                  (customers_app, "customers"), (profile_app, "profile"),
                  (audit_app, "audit"), (entities_app, "entities"), (series_app, "series"),
                  (rates_app, "rates"), (schedules_app, "schedules"),
                  (affiliates_app, "affiliates")):
    app.add_typer(sub, name=name)
app.command("items")(items_cmd)
drafts_app.add_typer(lines_app, name="lines")
