"""`affbill schedules list|show|create|pause|resume|edit`: scheduled runs as data.

Registered by main.py (which it takes the gateway, the console and the error handling from).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from affbill_cli.main import clean_errors, gateway, out

schedules_app = typer.Typer(help="Scheduled runs: per billing frequency, a generation delay "
                                 "after each period, started once the period is ready.",
                            no_args_is_help=True)


def _schedules(body: dict[str, Any]) -> Table:
    table = Table("schedule", "frequency", "runs on", "bills", "next period", "due at",
                  "state", title=f"Schedules ({body.get('time_zone', '')})",
                  title_justify="left")
    for s in body.get("items", []):
        bills = ", ".join(str(s[k]) for k in ("customer_kind", "currency",
                                              "account_manager_id") if s.get(k)) or "all"
        nxt = s.get("next_run") or {}
        table.add_row(s["schedule_id"], s["frequency"],
                      f"{s['delay_days']} d after, {s['hour']:02d}:00", bills,
                      f"{nxt.get('period_start', '')}..{nxt.get('period_end', '')}"
                      if nxt else "", nxt.get("due_at", ""),
                      f"paused: {s['paused_reason']}" if s.get("paused") else "active")
    return table


def _runs(rows: list[dict[str, Any]]) -> Table:
    table = Table("schedule", "period", "run (job)", "state", "run status", "documents",
                  "drafts", "skipped", title="Scheduled runs", title_justify="left")
    for r in rows:
        state = (f"waiting: {r['waiting_for']}" if r["status"] == "waiting"
                 else f"started {r['started_at']}")
        table.add_row(r["schedule_id"], f"{r['period_start']}..{r['period_end']}",
                      r["run_id"], state, r.get("run_status") or "",
                      *(str(r.get(k) if r.get(k) is not None else "")
                        for k in ("documents_created", "drafts_created", "customers_skipped")))
    return table


@schedules_app.command("list")
@clean_errors
def list_schedules(ctx: typer.Context) -> None:
    """Every schedule with its next run, the latest scheduled runs, and who leads."""
    body = gateway(ctx).get("/schedules")
    out.print(_schedules(body))
    out.print(_runs(body.get("runs", [])))
    leader = body.get("leader")
    out.print(f"Leader: {leader['holder']} since {leader['since']}" if leader
              else "Leader: none elected yet (no billing process is running)")


@schedules_app.command("show")
@clean_errors
def show(ctx: typer.Context, schedule_id: str) -> None:
    """One schedule with its latest runs."""
    body = gateway(ctx).get(f"/schedules/{schedule_id}")
    out.print(_schedules({"items": [body]}))
    out.print(_runs(body.get("runs", [])))


@schedules_app.command("create")
@clean_errors
def create(ctx: typer.Context, schedule_id: str,
           frequency: Annotated[str, typer.Option(
               help="weekly, biweekly, monthly or quarterly: its customers' frequency.")],
           delay_days: Annotated[int, typer.Option(
               help="Days after the period: 2 runs on the 3rd for the previous month.")] = 0,
           hour: Annotated[int, typer.Option(help="Hour of that day (network time).")] = 0,
           first_period: Annotated[str | None, typer.Option(
               help="The first period it bills (default: the last closed one).")] = None,
           customer_kind: Annotated[str | None, typer.Option(
               help="advertiser or affiliate (default: both).")] = None,
           currency: str | None = None, account_manager: str | None = None,
           invoice_date: Annotated[str | None, typer.Option(
               help="today, last_day_of_period or first_day_after_period.")] = None,
           due_from: Annotated[str | None, typer.Option(
               help="issue_date or generation_date.")] = None) -> None:
    """Schedule runs for every customer of a billing frequency."""
    body = {"schedule_id": schedule_id, "frequency": frequency, "delay_days": delay_days,
            "hour": hour, "first_period": first_period, "customer_kind": customer_kind,
            "currency": currency, "account_manager_id": account_manager,
            "invoice_date_rule": invoice_date, "due_date_basis": due_from}
    made = gateway(ctx).post("/schedules", {k: v for k, v in body.items() if v is not None})
    out.print(_schedules({"items": [made]}))


@schedules_app.command("pause")
@clean_errors
def pause(ctx: typer.Context, schedule_id: str,
          reason: Annotated[str, typer.Option(help="Why it is paused.")]) -> None:
    """Pause a schedule: it starts nothing until resumed."""
    changed = gateway(ctx).call("PATCH", f"/schedules/{schedule_id}",
                                json={"paused_reason": reason})
    out.print(f"Schedule {changed['schedule_id']} paused: {changed['paused_reason']}")


@schedules_app.command("resume")
@clean_errors
def resume(ctx: typer.Context, schedule_id: str) -> None:
    """Resume a paused schedule (its latest due period is started, once)."""
    changed = gateway(ctx).call("PATCH", f"/schedules/{schedule_id}", json={"resume": True})
    out.print(_schedules({"items": [changed]}))


@schedules_app.command("edit")
@clean_errors
def edit(ctx: typer.Context, schedule_id: str, delay_days: int | None = None,
         hour: int | None = None) -> None:
    """Change when a schedule runs."""
    body = {k: v for k, v in (("delay_days", delay_days), ("hour", hour)) if v is not None}
    out.print(_schedules({"items": [gateway(ctx).call("PATCH", f"/schedules/{schedule_id}",
                                                      json=body)]}))


__all__ = ["schedules_app"]
