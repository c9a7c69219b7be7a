"""A customer whose transaction lost a deadlock is billed again, and counted once."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from affbill_billing.service_layer import runs


class Deadlock(Exception):
    sqlstate = "40P01"


class Wrapped(Exception):  # how SQLAlchemy hands asyncpg's error on
    def __init__(self, orig: BaseException) -> None:
        super().__init__("wrapped")
        self.orig = orig


def test_a_deadlock_is_recognised_however_wrapped() -> None:
    assert runs._is_deadlock(Deadlock())
    assert runs._is_deadlock(Wrapped(Deadlock()))
    try:
        raise RuntimeError("outer") from Deadlock()
    except RuntimeError as exc:
        assert runs._is_deadlock(exc)
    assert not runs._is_deadlock(ValueError("other"))


async def test_billing_is_retried_and_counted_once(monkeypatch: pytest.MonkeyPatch) -> None:
    attempts: list[int] = []

    async def once(*args: Any) -> int:
        counts: Counter[str] = args[-1]
        counts["customers_skipped"] += 1  # counted, then the transaction fails
        attempts.append(1)
        if len(attempts) < 3:
            raise Wrapped(Deadlock())
        return 2

    monkeypatch.setattr(runs, "_bill_customer_once", once)
    tally = runs._Tally()
    pending = await runs._bill_customer(None, None, None, "c", True, {}, None, None, tally)
    assert (pending, len(attempts), tally.counts["customers_skipped"]) == (2, 3, 1)


async def test_other_errors_and_the_last_deadlock_propagate(
        monkeypatch: pytest.MonkeyPatch) -> None:
    async def deadlock(*args: Any) -> int:
        raise Deadlock()

    monkeypatch.setattr(runs, "_bill_customer_once", deadlock)
    with pytest.raises(Deadlock):
        await runs._bill_customer(None, None, None, "c", True, {}, None, None, runs._Tally())
