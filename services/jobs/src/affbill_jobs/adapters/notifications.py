"""Waking followers when a job changes: in-process, and across replicas via LISTEN/NOTIFY.

The consumer that committed a batch wakes this process's followers at once; the
transaction also sends ``pg_notify(channel, job_id)``, which the listener of every
replica (this one included) turns into the same wake-up. Followers re-read the database
when woken, so a lost or duplicate notification costs at most one poll interval.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
import weakref
from collections.abc import Iterable
from typing import Any

import asyncpg

log = logging.getLogger("affbill.jobs.notifications")


class JobBoard:
    """One asyncio.Event per followed job, set (and replaced) when the job changes."""

    def __init__(self) -> None:
        self._events: weakref.WeakValueDictionary[uuid.UUID, asyncio.Event] = (
            weakref.WeakValueDictionary())

    def watch(self, job_id: uuid.UUID) -> asyncio.Event:
        """Take the event *before* reading, so a change between read and wait is not missed."""
        event = self._events.get(job_id)
        if event is None:
            event = self._events[job_id] = asyncio.Event()
        return event

    def notify(self, job_ids: Iterable[uuid.UUID]) -> None:
        for job_id in job_ids:
            event = self._events.pop(job_id, None)
            if event is not None:
                event.set()

    @property
    def watched(self) -> int:
        return len(self._events)


class JobListener:
    """Listens on the schema's channel and wakes the board; reconnects when the link drops."""

    def __init__(self, database_url: str, channel: str, board: JobBoard,
                 retry_s: float = 2.0) -> None:
        self._url = database_url
        self.channel = channel
        self._board = board
        self._retry_s = retry_s
        self.listening = asyncio.Event()

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        with contextlib.suppress(ValueError):
            self._board.notify([uuid.UUID(payload)])

    async def run(self) -> None:
        while True:
            try:
                await self._listen_until_lost()
            except (OSError, asyncpg.PostgresError) as exc:
                log.warning("job listener link lost, retrying", extra={"error": repr(exc)})
            await asyncio.sleep(self._retry_s)

    async def _listen_until_lost(self) -> None:
        lost = asyncio.Event()
        conn = await asyncpg.connect(self._url)
        try:
            conn.add_termination_listener(lambda _c: lost.set())
            await conn.add_listener(self.channel, self._on_notify)
            self.listening.set()
            await lost.wait()
        finally:
            self.listening.clear()
            with contextlib.suppress(Exception):
                await conn.close(timeout=2)
