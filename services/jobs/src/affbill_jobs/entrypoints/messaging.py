"""Kafka entry point of the jobs service: batches of jobs.events into the job log.

Raw records come in (a batch run sends thousands of lines) and are decoded one by one
with the contract, through the runtime's consumer (affbill_runtime.consuming): a message
that is not a job event with a job id, or that fails to apply after its retries, goes to
the dead-letter topic and rejected_messages, so one bad message never blocks the batch.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from faststream.kafka import KafkaRouter

from affbill_contracts import topics
from affbill_contracts.codec import decode
from affbill_contracts.envelope import Envelope
from affbill_contracts.jobs import JobFinished, JobLogLine, JobProgress, JobQueued, JobStarted
from affbill_jobs.service_layer import ingest
from affbill_runtime import consuming, rejected, tracing
from affbill_runtime.runtime import Runtime

log = logging.getLogger("affbill.jobs.messaging")
JOB_EVENT_TYPES = {c.EVENT_TYPE for c in (JobQueued, JobStarted, JobProgress, JobLogLine,
                                           JobFinished)}


def decode_job_event(raw: bytes) -> Envelope[Any]:
    envelope = decode(raw)
    if envelope.type not in JOB_EVENT_TYPES:
        raise ValueError(f"{envelope.type} is not a job event")
    if envelope.job_id is None:
        raise ValueError("job_id: a job event needs its job id")
    return envelope


def build_router(runtime: Runtime) -> KafkaRouter:
    router = KafkaRouter()
    settings = runtime.state.settings

    async def record(decoded: list[tuple[Any, Envelope[Any]]]) -> None:
        """The events with the trace each was sent in (its record's traceparent header)."""
        traces = {e.event_id: t for r, e in decoded
                  if (t := tracing.trace_id_of(tracing.record_header(r)))}
        touched = await ingest.record_job_events(
            runtime.uow(), [e for _, e in decoded], settings.channel, traces)
        runtime.state.board.notify(touched)

    consuming.subscribe(
        router, runtime, topics.JOBS_EVENTS, settings.group,
        consuming.decoding_records(decode_job_event, record,
                                   functools.partial(rejected.keep, runtime.uow)),
        max_records=settings.batch_max_records, batch_timeout_ms=100,
        description="Batches of Envelope[JobQueued | JobStarted | JobProgress | JobLogLine | "
                    "JobFinished], keyed by job id")
    return router
