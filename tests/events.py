"""Reading shared topics in tests: other tests put malformed messages there on purpose."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from affbill_contracts import Envelope, decode


def decoded(records: Iterable[Any]) -> list[Envelope[Any]]:
    """The records that are valid envelopes, decoded; anything else is skipped."""
    out = []
    for record in records:
        try:
            out.append(decode(record.value))
        except (ValueError, KeyError):  # not JSON, unknown type, invalid payload
            continue
    return out


# The services' shared secret in tests: billing signs billing.invoices events with it and
# the documents service renders only events signed with it.
INTERNAL_SECRET = "affbill-test-internal-secret-" + uuid.uuid4().hex  # one per test session


def signed(envelope: Envelope[Any]) -> bytes:
    """An event as billing sends it: signed, encoded."""
    from affbill_contracts.codec import encode
    from affbill_contracts.signing import sign

    return encode(sign(envelope, INTERNAL_SECRET))
