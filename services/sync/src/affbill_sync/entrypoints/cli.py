"""`affbill-sync sync --connector … --scope standard|partial`: start a sync, watch it finish.

Talks to a running sync service over HTTP, signing its calls as the gateway does with
AFFBILL_INTERNAL_SECRET (the services believe nothing else); `affbill sync` goes through
the gateway instead.
"""

from __future__ import annotations

import argparse
import sys
import time

import httpx
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from affbill_runtime.internal_auth import Identity, signed_headers
from affbill_runtime.settings import ServiceSettings

FINAL = {"succeeded", "succeeded_with_warnings", "failed", "cancelled"}


class _Signed(httpx.Auth):
    """Each request signed for the operator running the command."""

    requires_request_body = True  # the body is signed too

    def __init__(self, user: str) -> None:
        self.key, self.who = ServiceSettings().signing_key, Identity("cli", user, "admin")

    def auth_flow(self, request: httpx.Request):  # type: ignore[no-untyped-def]
        request.headers.update(signed_headers(self.key, request.method,
                                              request.url.raw_path.decode("ascii"), self.who,
                                              body=request.content))
        yield request
STEPS = ("employee", "advertiser", "affiliate", "stat", "conversion")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="affbill-sync sync")
    parser.add_argument("--connector", default="hasoffers-sim")
    parser.add_argument("--scope", choices=["standard", "partial"], default="standard")
    parser.add_argument("--from", dest="date_from")
    parser.add_argument("--to", dest="date_to")
    parser.add_argument("--url", default="http://127.0.0.1:8001")
    parser.add_argument("--requested-by", default="cli")
    args = parser.parse_args(argv)
    console = Console(stderr=True)
    body = {"connector": args.connector, "scope": args.scope, "requested_by": args.requested_by,
            "date_from": args.date_from, "date_to": args.date_to}
    try:
        answer = httpx.post(f"{args.url}/syncs", json=body, timeout=10,
                            auth=_Signed(args.requested_by))
    except httpx.HTTPError as exc:
        console.print(f"[red]The sync service at {args.url} does not answer ({exc}).[/red]")
        return 2
    if answer.status_code != 202:
        console.print(f"[red]{answer.json().get('title', answer.text)}[/red]")
        return 2
    job_id = answer.json()["job_id"]
    console.print(f"{args.scope.capitalize()} sync of {args.connector} requested: job {job_id}")
    run = follow(f"{args.url}/syncs/{job_id}", console, _Signed(args.requested_by))
    counts = run.get("counts") or {}
    table = Table("step", box=None)
    for column in ("fetched", "published", "unchanged", "quarantined"):
        table.add_column(column, justify="right")
    for step in STEPS:
        if step in counts:
            c = counts[step]
            table.add_row(f"{step}s", *(f"{c[k]:,}" for k in ("fetched", "published",
                                                                "unchanged", "quarantined")))
    console.print(table)
    colour = {"succeeded": "green", "failed": "red"}.get(run["status"], "yellow")
    console.print(f"[{colour}]Sync {run['status'].replace('_', ' ')}[/{colour}]"
                  + (f": {run['reason']}" if run.get("reason") else ""))
    return 0 if run["status"] != "failed" else 1


def follow(url: str, console: Console, auth: httpx.Auth) -> dict:
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[info]}"),
                  TimeElapsedColumn(), console=console, transient=True) as progress:
        task = progress.add_task("queued", total=None, info="")
        while True:
            run = httpx.get(url, timeout=10, auth=auth).json()
            counts = run.get("counts") or {}
            fetched = sum(c.get("fetched", 0) for c in counts.values())
            published = sum(c.get("published", 0) for c in counts.values())
            step = next((s for s in reversed(STEPS) if s in counts), "")
            progress.update(task, description=f"{run['status']} {step}",
                            info=f"{fetched} fetched, {published} published")
            if run["status"] in FINAL:
                return run
            time.sleep(0.5)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
