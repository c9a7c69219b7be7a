"""Job events: a job reports start, progress, log lines and its end to jobs.events.

Events go through the unit of work's outbox, so a log line such as "Document
INV-1 created for Acme" commits with the document it talks about.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from affbill_contracts import topics
from affbill_contracts.envelope import Envelope, Payload
from affbill_contracts.jobs import (
    JobFinished,
    JobKind,
    JobLogLine,
    JobProgress,
    JobStarted,
    JobStatus,
    LogLevel,
)

_last_seq = 0


def next_seq() -> int:
    """Monotonic microsecond stamp: orders a service's events even across restarts."""
    global _last_seq
    _last_seq = max(_last_seq + 1, time.time_ns() // 1000)
    return _last_seq


class JobReporter:
    def __init__(self, uow: Any, service: str, job_id: uuid.UUID) -> None:
        self._uow = uow
        self.service = service
        self.job_id = job_id

    def _emit(self, payload: Payload) -> None:
        self._uow.publish(topics.JOBS_EVENTS, str(self.job_id),
                          Envelope.wrap(payload, job_id=self.job_id))

    def started(self, kind: JobKind, title: str, started_by: str) -> None:
        self._emit(JobStarted(service=self.service, seq=next_seq(), kind=kind, title=title,
                              started_by=started_by))

    def progress(self, step: str, done: int, total: int | None = None, **counters: int) -> None:
        self._emit(JobProgress(service=self.service, seq=next_seq(), step=step, done=done,
                               total=total, counters=counters))

    def log(self, text: str, level: LogLevel = LogLevel.INFO) -> None:
        self._emit(JobLogLine(service=self.service, seq=next_seq(), level=level, text=text))

    def finished(self, status: JobStatus, reason: str | None = None, **counts: int) -> None:
        self._emit(JobFinished(service=self.service, seq=next_seq(), status=status,
                               counts=counts, reason=reason))
