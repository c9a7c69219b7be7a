"""One leader across billing replicas executes the schedules.

Every billing process stands for election: a session-level advisory lock taken on a
connection in autocommit (no open transaction, like the outbox relay's leadership), so the
lock goes the moment the leader's process or session dies and another process wins the
next election. Elected, it names itself in ``schedule_leadership``; each round it first
checks on that connection that it still holds the lock, then starts due runs. Leadership only
saves work: a run's key (schedule and period) makes it start once even if two processes
believed they led at the same moment.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from affbill_billing.adapters import schedules_repo
from affbill_billing.config import Settings
from affbill_billing.service_layer import scheduled_runs
from affbill_runtime.db import UnitOfWork

log = logging.getLogger("affbill.billing.schedules")
STILL_LEADER = text("""
select count(*) from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()
and granted and classid = 0 and objid::bigint = :k and objsubid = 1""")


class LeadershipLost(Exception):
    """The leader's session no longer holds the schedules' advisory lock."""


class ScheduleLeader:
    def __init__(self, engine: AsyncEngine, uow_factory: Callable[[], UnitOfWork],
                 settings: Settings, holder: str, on_started: Callable[[], None] = lambda: None
                 ) -> None:
        self._engine = engine
        self._uow_factory = uow_factory
        self._settings = settings
        self.holder = holder
        self._on_started = on_started
        # the advisory lock's key (32 bits: pg_locks shows it as objid, classid 0)
        self._lock_id = zlib.crc32(f"affbill.schedules.{settings.db_schema}".encode())
        self.leading = False

    async def run(self) -> None:
        """Stand for election forever; only the leader starts scheduled runs."""
        while True:
            try:
                await self._lead()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("schedule leader stopped; standing for election again")
            await asyncio.sleep(self._settings.schedule_election_s)

    async def _lead(self) -> None:
        """Take the lock and lead until the lock or the connection is lost; returns at once
        when another process leads."""
        async with self._engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            if not await conn.scalar(text("select pg_try_advisory_lock(:k)"),
                                     {"k": self._lock_id}):
                return
            self.leading = True
            log.info("schedule leader elected", extra={"holder": self.holder})
            try:
                # named once per election: a write every round would end the reuse of
                # generator pages (they are reused while the database writes nothing)
                await schedules_repo.lead(conn, self.holder)
                while True:
                    if not await conn.scalar(STILL_LEADER, {"k": self._lock_id}):
                        raise LeadershipLost("the schedules' advisory lock is no longer held")
                    if await scheduled_runs.start_due_runs(self._uow_factory, self._settings,
                                                           self.holder):
                        self._on_started()
                    await asyncio.sleep(self._settings.schedule_every_s)
            finally:
                self.leading = False
                await conn.invalidate()  # closing the session releases the lock
