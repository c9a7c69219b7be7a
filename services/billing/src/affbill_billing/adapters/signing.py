"""Billing's events on billing.invoices leave signed, so the documents service renders only
invoices billing issued (affbill_contracts.signing)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from affbill_contracts import topics
from affbill_contracts.envelope import Envelope
from affbill_contracts.signing import sign
from affbill_runtime.db import UnitOfWork
from affbill_runtime.runtime import Runtime

SIGNED_TOPICS = frozenset({topics.BILLING_INVOICES})


class SigningUnitOfWork(UnitOfWork):
    """A unit of work whose InvoiceIssued / InvoiceCancelled events carry their signature."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], secret: str,
                 on_commit: Callable[[], None] | None = None) -> None:
        super().__init__(sessions, on_commit)
        self._secret = secret

    def publish(self, topic: str, key: str | None, envelope: Envelope[Any]) -> None:
        if topic in SIGNED_TOPICS:
            envelope = sign(envelope, self._secret)
        super().publish(topic, key, envelope)


class SigningRuntime(Runtime):
    """The billing process's runtime: every unit of work it hands out signs."""

    def __init__(self, settings: Any, package: str, secret: str) -> None:
        super().__init__(settings, package)
        self._secret = secret

    def uow(self) -> UnitOfWork:
        return SigningUnitOfWork(self.sessions, self._secret, on_commit=self._wake_relay)
