"""A job's parts (the fold state) as the JSON kept in jobs.parts, and its progress as shown."""

from __future__ import annotations

import datetime as dt
from typing import Any

from affbill_jobs.domain.model import (
    Finished,
    Job,
    Mark,
    Part,
    Progressed,
    Queued,
    Started,
    Status,
    Step,
)


def _at(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def _mark(mark: Mark) -> list[Any]:
    return [mark.at.isoformat(), mark.seq]


def _unmark(service: str, data: list[Any]) -> Mark:
    return Mark(dt.datetime.fromisoformat(data[0]), service, int(data[1]))


def _declared(d: Queued | Started | None) -> dict[str, Any] | None:
    return None if d is None else {"mark": _mark(d.mark), "kind": d.kind, "title": d.title,
                                   "by": d.by}


def _progress(p: Progressed) -> dict[str, Any]:
    return {"mark": _mark(p.mark), "step": p.step, "done": p.done, "total": p.total,
            "counters": dict(p.counters)}


def dump(parts: dict[str, Part]) -> dict[str, Any]:
    return {service: {
        "first_at": p.first_at.isoformat(),
        "worked_at": p.worked_at.isoformat() if p.worked_at else None,
        "queued": _declared(p.queued),
        "started": _declared(p.started),
        "finished": None if p.finished is None else {
            "mark": _mark(p.finished.mark), "status": p.finished.status.value,
            "counts": dict(p.finished.counts), "reason": p.finished.reason},
        "steps": {name: {"first": _mark(s.first), "latest": _progress(s.latest)}
                  for name, s in p.steps.items()},
    } for service, p in parts.items()}


def load(data: dict[str, Any]) -> dict[str, Part]:
    parts = {}
    for service, p in data.items():
        q, s, f = p["queued"], p["started"], p["finished"]
        parts[service] = Part(
            service=service,
            first_at=dt.datetime.fromisoformat(p["first_at"]),
            worked_at=_at(p["worked_at"]),
            queued=q and Queued(_unmark(service, q["mark"]), q["kind"], q["title"], q["by"]),
            started=s and Started(_unmark(service, s["mark"]), s["kind"], s["title"], s["by"]),
            finished=f and Finished(_unmark(service, f["mark"]), Status(f["status"]),
                                    f["counts"], f["reason"]),
            steps={name: Step(first=_unmark(service, st["first"]), latest=Progressed(
                _unmark(service, st["latest"]["mark"]), st["latest"]["step"],
                st["latest"]["done"], st["latest"]["total"], st["latest"]["counters"]))
                for name, st in p["steps"].items()},
        )
    return parts


def progress(job: Job) -> list[dict[str, Any]]:
    """The job's steps as the API shows them, in the order they were first reported."""
    return [{"service": service, "step": p.step, "done": p.done, "total": p.total,
             "counters": dict(p.counters)} for service, p in job.progress]
