"""A job as the fold of its events: the same events, in any order and however often they
arrive, give the same job.

A job may hear from several services (a run from billing, its rendering from documents,
the queued mark from the gateway). Each service's share is a *part*:

- a part **runs** once it started or reported progress, and is **finished** by its
  JobFinished (the latest by seq); a finished part never runs again, so a late progress
  event cannot move it back;
- the job is **queued** until any part shows work, **running** while a part runs (or work
  was seen but nothing finished yet), and once no part runs its outcome is the worst of its
  finished parts: failed > cancelled > succeeded_with_warnings > succeeded;
- what the job is (kind, title, who started it) comes from its earliest JobStarted, or
  from its JobQueued until a service started it;
- counts are summed over the parts; the reason is the failed part's (each prefixed with
  its service when several failed).

Log lines only date a part; they neither open nor close it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TypeVar


class Status(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    SUCCEEDED_WITH_WARNINGS = "succeeded_with_warnings"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINISHED = frozenset({Status.SUCCEEDED, Status.SUCCEEDED_WITH_WARNINGS, Status.CANCELLED,
                      Status.FAILED})
_WORST = [Status.SUCCEEDED, Status.SUCCEEDED_WITH_WARNINGS, Status.CANCELLED, Status.FAILED]


@dataclass(frozen=True, order=True)
class Mark:
    """Where an event sits in production order: its time, then the producing service and the
    service's own sequence (a service's seq is strictly increasing)."""

    at: dt.datetime
    service: str
    seq: int


@dataclass(frozen=True)
class Queued:
    mark: Mark
    kind: str
    title: str
    by: str


@dataclass(frozen=True)
class Started:
    mark: Mark
    kind: str
    title: str
    by: str


@dataclass(frozen=True)
class Progressed:
    mark: Mark
    step: str
    done: int
    total: int | None
    counters: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Logged:
    mark: Mark
    level: str
    text: str
    trace_id: str | None = None  # the trace the line was written in (32 hex digits)


@dataclass(frozen=True)
class Finished:
    mark: Mark
    status: Status
    counts: Mapping[str, int] = field(default_factory=dict)
    reason: str | None = None


JobEvent = Queued | Started | Progressed | Logged | Finished


@dataclass(frozen=True)
class Step:
    """A step's latest progress (highest seq) and when the step was first reported."""

    first: Mark
    latest: Progressed


@dataclass(frozen=True)
class Part:
    """One service's share of a job."""

    service: str
    first_at: dt.datetime
    worked_at: dt.datetime | None = None  # earliest event showing work (not the queued mark)
    queued: Queued | None = None
    started: Started | None = None
    finished: Finished | None = None
    steps: Mapping[str, Step] = field(default_factory=dict)

    @property
    def running(self) -> bool:
        return self.finished is None and (self.started is not None or bool(self.steps))


E = TypeVar("E", Queued, Started)


def _earliest(a: E | None, b: E) -> E:
    return b if a is None or b.mark < a.mark else a


def apply(part: Part | None, event: JobEvent) -> Part:
    """``part`` with ``event`` taken in. Commutative and idempotent: every rule keeps the
    earliest or the latest of something, never "the one that came last"."""
    at = event.mark.at
    if part is None:
        part = Part(service=event.mark.service, first_at=at)
    part = replace(part, first_at=min(part.first_at, at))
    if not isinstance(event, Queued):
        part = replace(part, worked_at=at if part.worked_at is None else min(part.worked_at, at))
    match event:
        case Queued():
            return replace(part, queued=_earliest(part.queued, event))
        case Started():
            return replace(part, started=_earliest(part.started, event))
        case Finished():
            if part.finished is None or event.mark.seq > part.finished.mark.seq:
                return replace(part, finished=event)
            return part
        case Progressed():
            step = part.steps.get(event.step)
            if step is None:
                step = Step(first=event.mark, latest=event)
            else:
                latest = event if event.mark.seq > step.latest.mark.seq else step.latest
                step = Step(first=min(step.first, event.mark), latest=latest)
            return replace(part, steps={**part.steps, event.step: step})
    return part


def fold(parts: Mapping[str, Part], events: Iterable[JobEvent]) -> dict[str, Part]:
    """The parts of one job after ``events`` (given per service)."""
    out = dict(parts)
    for event in events:
        out[event.mark.service] = apply(out.get(event.mark.service), event)
    return out


@dataclass(frozen=True)
class Job:
    """What the job log shows about a job, derived from its parts."""

    kind: str | None
    title: str | None
    started_by: str | None
    status: Status
    requested_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    counts: dict[str, int]
    reason: str | None
    progress: list[tuple[str, Progressed]]  # (service, latest progress) per step, in order


def summarize(parts: Mapping[str, Part]) -> Job:
    values = list(parts.values())
    if not values:
        raise ValueError("a job has at least one part")
    finished = sorted((p.finished for p in values if p.finished), key=lambda f: f.mark)
    if any(p.running for p in values):
        status = Status.RUNNING
    elif finished:
        status = max((f.status for f in finished), key=_WORST.index)
    elif any(p.worked_at for p in values):
        status = Status.RUNNING  # lines arrived before the start
    else:
        status = Status.QUEUED
    starts = [p.started for p in values if p.started]
    declared: Queued | Started | None = min(starts, key=lambda s: s.mark) if starts else None
    if declared is None:
        queued = [p.queued for p in values if p.queued]
        declared = min(queued, key=lambda q: q.mark) if queued else None
    worked = [p.worked_at for p in values if p.worked_at]
    counts: dict[str, int] = {}
    for f in finished:
        for name, value in f.counts.items():
            counts[name] = counts.get(name, 0) + value
    failures = [f for f in finished if f.status in (Status.FAILED, Status.CANCELLED) and f.reason]
    reason = ("; ".join(f"{f.mark.service}: {f.reason}" for f in failures) if len(failures) > 1
              else failures[0].reason if failures else None)
    steps = sorted(((p.service, s) for p in values for s in p.steps.values()),
                   key=lambda ps: ps[1].first)
    return Job(
        kind=declared.kind if declared else None,
        title=declared.title if declared else None,
        started_by=declared.by if declared else None,
        status=status,
        requested_at=min(p.first_at for p in values),
        started_at=min(worked) if worked else None,
        finished_at=finished[-1].mark.at if status in FINISHED else None,
        counts=counts,
        reason=reason,
        progress=[(service, step.latest) for service, step in steps],
    )
