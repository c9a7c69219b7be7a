"""Billing's events on billing.invoices leave signed, so the documents service renders only
invoices billing issued (affbill_contracts.signing)."""

from __future__ import annotations

from typing import Any

from affbill_contracts import topics
from affbill_contracts.envelope import Envelope
from affbill_contracts.signing import sign
from affbill_runtime.db import UnitOfWork
from affbill_runtime.runtime import Runtime

SIGNED_TOPICS = frozenset({topics.BILLING_INVOICES})


def signing(unit: UnitOfWork, secret: str) -> UnitOfWork:
    """``unit``, its InvoiceIssued / InvoiceCancelled events signed as they are published."""
    publish = unit.publish

    def publish_signed(topic: str, key: str | None, envelope: Envelope[Any]) -> None:
        publish(topic, key, sign(envelope, secret) if topic in SIGNED_TOPICS else envelope)

    unit.publish = publish_signed  # type: ignore[method-assign]
    return unit


class SigningRuntime(Runtime):
    """The billing process's runtime: every unit of work it hands out signs."""

    def __init__(self, settings: Any, package: str, secret: str) -> None:
        super().__init__(settings, package)
        self._secret = secret

    def uow(self) -> UnitOfWork:
        return signing(super().uow(), self._secret)
