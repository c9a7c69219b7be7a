"""The documents service renders only what billing issued: every InvoiceIssued /
InvoiceCancelled must carry billing's signature (affbill_contracts.signing).

One function for the consumer to call per message before anything is rendered; it raises
SignatureRejected (a ValueError whose text starts with "signature") so whichever wrapper
handles the consumer's bad messages keeps the message in rejected_messages with that reason.
"""

from __future__ import annotations

from typing import Any

from affbill_contracts.billing import InvoiceCancelled, InvoiceIssued
from affbill_contracts.envelope import Envelope
from affbill_contracts.signing import SignatureRejected, verify

__all__ = ["SignatureRejected", "verify_issued"]


def verify_issued(raw: bytes, envelope: Envelope[Any], secret: str) -> None:
    """Raise SignatureRejected unless this issued document's event was signed by billing."""
    if isinstance(envelope.payload, InvoiceIssued | InvoiceCancelled):
        verify(raw, secret)
