"""Signed events: an HMAC-SHA256 over an envelope's canonical JSON, keyed with the secret
the services share (AFFBILL_INTERNAL_SECRET), so a consumer can tell an event its producer
sent from one anybody with access to the topic wrote.

The canonical form is the envelope's JSON object without ``signature``, keys sorted at
every level, no whitespace, UTF-8. The consumer computes it from the bytes it received
(before upcasting or dropping unknown fields), so what it checks is what was sent.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import orjson

from affbill_contracts.envelope import Envelope

REASON = "signature"  # the reason a consumer records for an event it does not trust


class SignatureRejected(ValueError):
    """The event is unsigned or its signature does not match: not from its producer."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"{REASON}: {detail}")


def canonical(message: dict[str, Any]) -> bytes:
    """The signed bytes of ``message``. orjson writes them (a run signs thousands of
    invoices a second); what it cannot write (an integer beyond 64 bits in a hostile
    message) the standard library writes, with the same bytes where both can."""
    unsigned = {k: v for k, v in message.items() if k != "signature"}
    try:
        return orjson.dumps(unsigned, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return json.dumps(unsigned, sort_keys=True, separators=(",", ":"),
                          ensure_ascii=False).encode()


def signature_of(message: dict[str, Any], secret: str) -> str:
    return hmac.new(secret.encode(), canonical(message), hashlib.sha256).hexdigest()


def sign(envelope: Envelope[Any], secret: str) -> Envelope[Any]:
    """The envelope with its signature (what the producer hands to the outbox)."""
    return envelope.model_copy(update={
        "signature": signature_of(envelope.model_dump(mode="json"), secret)})


def verify(raw: bytes | str, secret: str) -> None:
    """Raise SignatureRejected unless ``raw`` carries a valid signature."""
    try:
        message = json.loads(raw)
    except ValueError:
        raise SignatureRejected("the message is not JSON") from None
    if not isinstance(message, dict):
        raise SignatureRejected("the message is not a JSON object")
    given = message.get("signature")
    if not isinstance(given, str) or not given:
        raise SignatureRejected("the event is not signed")
    if not hmac.compare_digest(given, signature_of(message, secret)):
        raise SignatureRejected("the signature does not match: not sent by billing, "
                                "or changed on the way")
