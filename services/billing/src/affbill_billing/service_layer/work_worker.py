"""The work-item worker every billing process runs: it claims recorded commands under a
lease and executes them, several at once, each in its own task.

A lease makes sure one command never executes twice in parallel: the worker renews it
while the command runs and cancels the command when the lease is lost (renewal refused,
or not renewed in time); a crashed worker's lease expires and another worker resumes the
command, which the use cases make safe (a resumed run bills what is still open). A command
that raises is retried with backoff; after ``work_item_attempts`` attempts (a crash counts
as one) it is marked failed with its reason and its job finishes failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable

from affbill_billing.adapters import work_items_repo as repo
from affbill_billing.config import Settings
from affbill_billing.service_layer import work_items
from affbill_billing.service_layer.work_items import UowFactory
from affbill_runtime import tracing

log = logging.getLogger("affbill.billing.work_worker")
Execute = Callable[[UowFactory, bytes, Settings], Awaitable[None]]


class LeaseLost(Exception):
    """Another worker may own the item now: this one stops and records nothing."""


class WorkItemWorker:
    def __init__(self, uow_factory: UowFactory, settings: Settings,
                 execute: Execute = work_items.execute_command, owner: str | None = None) -> None:
        self.uow_factory = uow_factory
        self.settings = settings
        self.execute = execute
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._wakeup = asyncio.Event()
        self._running: set[asyncio.Task[None]] = set()

    def wake(self) -> None:
        self._wakeup.set()

    async def run(self) -> None:
        """Claim and execute forever, at most ``work_item_concurrency`` commands at once."""
        try:
            while True:
                try:
                    while len(self._running) < self.settings.work_item_concurrency and (
                            item := await self.claim()):
                        task = asyncio.create_task(self.work(item), name=f"work-{item.item_id}")
                        self._running.add(task)
                        task.add_done_callback(self._finished)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("claiming work items failed; retrying")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), self.settings.work_item_poll_s)
                self._wakeup.clear()
        finally:
            for task in list(self._running):
                task.cancel()
            await asyncio.gather(*self._running, return_exceptions=True)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        self._wakeup.set()  # a slot is free

    async def run_next(self) -> bool:
        """Claim one command and execute it to its end here (tests, tools)."""
        item = await self.claim()
        if item is None:
            return False
        await self.work(item)
        return True

    async def claim(self) -> repo.Claimed | None:
        async with self.uow_factory() as uow:
            item = await repo.claim(uow.session, self.owner, self.settings.work_item_lease_s)
            await uow.commit()
        return item

    async def work(self, item: repo.Claimed) -> None:
        """Execute a claimed item under its lease and record the outcome."""
        s = self.settings
        if item.attempts > s.work_item_attempts:  # its workers died each time
            await work_items.give_up(self.uow_factory, item, self.owner, (
                f"gave up after {s.work_item_attempts} attempts: "
                f"{item.last_error or 'the worker executing it stopped each time'}"))
            return
        try:
            with tracing.resumed(f"work item {item.kind}", item.traceparent,
                                 **{"affbill.job_id": str(item.job_id),
                                    "affbill.work_item.attempt": item.attempts}):
                await self._leased(item)
        except LeaseLost:
            log.warning("lease lost; another worker resumes it", extra={"item": str(item.item_id)})
            return
        except asyncio.CancelledError:  # the service stops: the next worker resumes it now
            with contextlib.suppress(Exception):
                await self._release(item, None, 0.0, count_attempt=False)
            raise
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}"[:2000]
            log.exception("work item failed", extra={"item": str(item.item_id),
                                                     "attempt": item.attempts})
            if item.attempts >= s.work_item_attempts:
                await work_items.give_up(self.uow_factory, item, self.owner, reason)
            else:
                await self._release(item, reason,
                                    min(s.work_item_retry_s * 2 ** (item.attempts - 1), 300))
            return
        async with self.uow_factory() as uow:
            await repo.done(uow.session, item.item_id, self.owner)
            await uow.commit()

    async def _leased(self, item: repo.Claimed) -> None:
        lease_s = self.settings.work_item_lease_s
        task = asyncio.create_task(self.execute(self.uow_factory, item.command, self.settings))
        renewed = time.monotonic()
        try:
            while True:
                done, _ = await asyncio.wait({task}, timeout=lease_s / 3)
                if done:
                    return task.result()
                try:
                    if not await self._renew(item):
                        raise LeaseLost
                    renewed = time.monotonic()
                except LeaseLost:
                    raise
                except Exception:  # the database is away: hold on while the lease lasts
                    if time.monotonic() - renewed > lease_s * 2 / 3:
                        raise LeaseLost from None
        finally:
            if not task.done():
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task

    async def _renew(self, item: repo.Claimed) -> bool:
        async with self.uow_factory() as uow:
            mine = await repo.renew(uow.session, item.item_id, self.owner,
                                    self.settings.work_item_lease_s)
            await uow.commit()
        return mine

    async def _release(self, item: repo.Claimed, error: str | None, delay_s: float,
                       count_attempt: bool = True) -> None:
        async with self.uow_factory() as uow:
            await repo.retry_later(uow.session, item.item_id, self.owner, error, delay_s,
                                   count_attempt)
            await uow.commit()
