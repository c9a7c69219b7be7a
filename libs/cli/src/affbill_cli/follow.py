"""Following a job: its log lines as they come (long-poll), and a progress bar."""

from __future__ import annotations

import time
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from affbill_cli.client import Gateway, GatewayError

STYLE = {"warning": "yellow", "error": "red", "debug": "dim"}
APPEAR_S = 60.0  # a job just accepted may take a moment to reach the job log


def step_of(job: dict[str, Any]) -> tuple[str, int, int | None] | None:
    """The step in progress as (name, done, total), from the job's progress however listed."""
    progress = steps_of(job)
    if not progress:
        return None
    last = progress[-1]
    return str(last.get("step", "")), int(last.get("done", 0)), last.get("total")


def step_text(step: dict[str, Any]) -> str:
    """`313 of 500` when the total is known, `313` (so far) when it is not."""
    done, total = step.get("done") or 0, step.get("total")
    done_text = f"{done:,}" if isinstance(done, int) else str(done)
    return f"{done_text} of {total:,}" if isinstance(total, int) else done_text


def steps_of(job: dict[str, Any]) -> list[dict[str, Any]]:
    progress = job.get("progress")
    if isinstance(progress, dict) and "done" in progress:
        return [progress]
    if isinstance(progress, dict):
        return [{"step": k, **v} for k, v in progress.items() if isinstance(v, dict)]
    return list(progress or [])


def line_text(line: dict[str, Any]) -> str:
    when = str(line.get("time") or line.get("at") or "")[11:19]
    level = line.get("level", "info")
    text = line.get("text", "")
    style = STYLE.get(level)
    return f"{when} [{style}]{text}[/]" if style else f"{when} {text}"


def wait_for_job(gateway: Gateway, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + APPEAR_S
    while True:
        try:
            return gateway.get(f"/jobs/{job_id}")
        except GatewayError as exc:
            if "(HTTP 404)" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def follow(gateway: Gateway, job_id: str, console: Console, bar: bool = False,
           wait_s: int = 20) -> str:
    """Print the job's lines until it finishes; returns its final status."""
    job = wait_for_job(gateway, job_id)
    cursor: str | None = None
    with Progress(TextColumn("{task.description}"), BarColumn(),
                  TextColumn("{task.fields[count]}"), TimeElapsedColumn(), console=console,
                  disable=not bar, transient=True) as progress:
        task = progress.add_task(job.get("title") or job.get("kind") or "job", total=None,
                                 count="")
        while True:
            page = gateway.get(f"/jobs/{job_id}/lines", after=cursor, wait=wait_s)
            for line in page.get("items", []):
                progress.console.print(line_text(line), highlight=False)
            cursor = page.get("next") or cursor
            if bar or page.get("finished"):
                job = gateway.get(f"/jobs/{job_id}")
            if steps := steps_of(job):
                progress.update(task, **bar_of(steps))
            if page.get("finished"):
                return str(job.get("status", "finished"))


def bar_of(steps: list[dict[str, Any]]) -> dict[str, Any]:
    """The bar of the step in progress: `customers 3 of 40` fills to its total; a step
    whose total is unknown (a sync reading pages) counts up, with the steps done before."""
    last = steps[-1]
    name, total = str(last.get("step") or "working"), last.get("total")
    earlier = f" (after {', '.join(str(s.get('step')) for s in steps[:-1])})" if len(
        steps) > 1 else ""
    if isinstance(total, int) and total > 0:
        return {"description": name, "completed": last.get("done", 0), "total": total,
                "count": step_text(last)}
    return {"description": name + earlier, "completed": 0, "total": None,
            "count": f"{step_text(last)} so far"}
