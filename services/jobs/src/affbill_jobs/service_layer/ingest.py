"""record_job_events: a batch of jobs.events into the read model, in one transaction.

Idempotent without an inbox: lines are kept once per natural key (job, service, seq),
and everything else is a fold whose rules keep the earliest or latest of something, so a
redelivered or reordered event leaves the same state.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from affbill_contracts.envelope import Envelope
from affbill_contracts.jobs import JobFinished, JobLogLine, JobProgress, JobQueued, JobStarted
from affbill_jobs.adapters import parts_codec, store
from affbill_jobs.domain.model import (
    Finished,
    JobEvent,
    Logged,
    Mark,
    Progressed,
    Queued,
    Started,
    Status,
    fold,
    summarize,
)
from affbill_runtime.db import UnitOfWork


def to_event(envelope: Envelope[Any], trace_id: str | None = None) -> JobEvent:
    """The domain's view of a jobs.events message (``trace_id``: the trace it was sent in)."""
    p = envelope.payload
    mark = Mark(envelope.occurred_at, p.service, p.seq)
    match p:
        case JobQueued():
            return Queued(mark, p.kind.value, p.title, p.requested_by)
        case JobStarted():
            return Started(mark, p.kind.value, p.title, p.started_by)
        case JobProgress():
            return Progressed(mark, p.step, p.done, p.total, p.counters)
        case JobLogLine():
            return Logged(mark, p.level.value, p.text, trace_id)
        case JobFinished():
            return Finished(mark, Status(p.status.value), p.counts, p.reason)
    raise TypeError(f"not a job event: {envelope.type}")


async def record_job_events(uow: UnitOfWork, envelopes: Sequence[Envelope[Any]],
                            channel: str, trace_ids: Mapping[uuid.UUID, str] | None = None
                            ) -> set[uuid.UUID]:
    """Apply job events (each with a job_id); returns the jobs that were touched.
    ``trace_ids``: the trace each event (by event id) was sent in, kept on its line."""
    traces = trace_ids or {}
    by_job: dict[uuid.UUID, list[JobEvent]] = {}
    for envelope in envelopes:
        assert envelope.job_id is not None, "callers pass job events with a job_id"
        by_job.setdefault(envelope.job_id, []).append(
            to_event(envelope, traces.get(envelope.event_id)))
    if not by_job:
        return set()
    first_seen = {job: min(e.mark.at for e in events) for job, events in by_job.items()}
    lines = [store.Line(job, e.mark.service, e.mark.seq, e.mark.at, e.level, e.text, e.trace_id)
             for job, events in by_job.items() for e in events if isinstance(e, Logged)]
    async with uow:
        conn = await uow.driver_connection()
        state = await store.lock_jobs(conn, first_seen)
        counted = await store.add_lines(conn, lines)
        rows = []
        for job_id, events in by_job.items():
            stored, line_count = state[job_id]
            parts = fold(parts_codec.load(stored), events)
            job = summarize(parts)
            rows.append(store.JobRow(
                job_id=job_id, kind=job.kind, title=job.title, started_by=job.started_by,
                status=job.status.value, requested_at=job.requested_at,
                started_at=job.started_at, finished_at=job.finished_at, counts=job.counts,
                reason=job.reason, progress=parts_codec.progress(job),
                parts=parts_codec.dump(parts), line_count=counted.get(job_id, line_count)))
        await store.save_jobs(conn, rows)
        await store.notify(conn, channel, sorted(by_job))
        await uow.commit()
    return set(by_job)
