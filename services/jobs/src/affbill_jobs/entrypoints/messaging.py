"""Kafka entry point of the jobs service: batches of jobs.events into the job log.

Raw bytes come in (a batch run sends thousands of lines) and are decoded one by one with
the contract; a message that is not a job event with a job id is kept as rejected, so one
bad message never blocks the batch.
"""

from __future__ import annotations

import logging

from faststream import AckPolicy
from faststream.kafka import KafkaRouter

from affbill_contracts import topics
from affbill_contracts.codec import decode
from affbill_contracts.jobs import JobFinished, JobLogLine, JobProgress, JobQueued, JobStarted
from affbill_jobs.service_layer import ingest
from affbill_runtime.messaging import raw_body
from affbill_runtime.runtime import Runtime

log = logging.getLogger("affbill.jobs.messaging")
JOB_EVENT_TYPES = {c.EVENT_TYPE for c in (JobQueued, JobStarted, JobProgress, JobLogLine,
                                           JobFinished)}


def build_router(runtime: Runtime) -> KafkaRouter:
    router = KafkaRouter()
    settings = runtime.state.settings

    @router.subscriber(topics.JOBS_EVENTS, group_id=settings.group, batch=True,
                       max_records=settings.batch_max_records, batch_timeout_ms=100,
                       auto_offset_reset="earliest", isolation_level="read_committed",
                       decoder=raw_body, ack_policy=AckPolicy.NACK_ON_ERROR,
                       title=f"{topics.JOBS_EVENTS}:subscribe",
                       description="Batches of Envelope[JobQueued | JobStarted | JobProgress | "
                                   "JobLogLine | JobFinished], keyed by job id")
    async def on_job_events(messages: list[bytes]) -> None:
        envelopes = []
        for raw in messages:
            try:
                envelope = decode(raw)
                if envelope.type not in JOB_EVENT_TYPES:
                    raise ValueError(f"{envelope.type} is not a job event")
                if envelope.job_id is None:
                    raise ValueError("job_id: a job event needs its job id")
            except ValueError as exc:  # pydantic's ValidationError is a ValueError
                log.error("rejected message", extra={"topic": topics.JOBS_EVENTS,
                                                     "reason": str(exc)[:500]})
                await ingest.reject(runtime.uow(), topics.JOBS_EVENTS, raw, str(exc))
                continue
            envelopes.append(envelope)
        touched = await ingest.record_job_events(runtime.uow(), envelopes, settings.channel)
        runtime.state.board.notify(touched)

    return router
