"""A customer whose transaction lost a deadlock is billed again, and counted once."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest

from affbill_billing.domain.runs import RunContext, RunCounts
from affbill_billing.service_layer import run_locked, run_work


class Deadlock(Exception):
    sqlstate = "40P01"


class Wrapped(Exception):  # how SQLAlchemy hands asyncpg's error on
    def __init__(self, orig: BaseException) -> None:
        super().__init__("wrapped")
        self.orig = orig


def _work() -> run_work.RunWork:
    ctx = RunContext(uuid.uuid4(), uuid.uuid4(), "anna", dt.date(2026, 11, 2), Decimal("19"))
    return run_work.RunWork(ctx, None, None)  # type: ignore[arg-type]


def test_a_deadlock_is_recognised_however_wrapped() -> None:
    assert run_locked.is_deadlock(Deadlock())
    assert run_locked.is_deadlock(Wrapped(Deadlock()))
    try:
        raise RuntimeError("outer") from Deadlock()
    except RuntimeError as exc:
        assert run_locked.is_deadlock(exc)
    assert not run_locked.is_deadlock(ValueError("other"))


async def test_billing_is_retried_and_counted_once(monkeypatch: pytest.MonkeyPatch) -> None:
    attempts: list[int] = []

    async def once(*args: Any) -> int:
        counts: RunCounts = args[-1]
        counts.customers_skipped += 1  # counted, then the transaction fails
        attempts.append(1)
        if len(attempts) < 3:
            raise Wrapped(Deadlock())
        return 2

    monkeypatch.setattr(run_locked, "bill_locked_once", once)
    work = _work()
    pending = await run_locked.bill_locked(work, "c", None)
    assert (pending, len(attempts), work.tally.counts.customers_skipped) == (2, 3, 1)


async def test_other_errors_and_the_last_deadlock_propagate(
        monkeypatch: pytest.MonkeyPatch) -> None:
    async def deadlock(*args: Any) -> int:
        raise Deadlock()

    monkeypatch.setattr(run_locked, "bill_locked_once", deadlock)
    with pytest.raises(Deadlock):
        await run_locked.bill_locked(_work(), "c", None)
