"""What makes a fact "changed": fingerprints, deterministic event ids, day digests.

A fact's fingerprint is a hash of its payload's values (not of when it was
fetched), so re-reading unchanged data gives the same fingerprint. The event id
is derived from the change of fingerprint: publishing the same change twice (a
re-run after a crash) carries the same event_id, which consumers' inboxes
recognise.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from decimal import Decimal

# Changing this namespace changes every event id: never do it.
EVENT_NAMESPACE = uuid.UUID("6a4f1f0e-2f3c-4c1e-9a57-5b0d1e3f7a21")


def fingerprint(values: Iterable[object]) -> bytes:
    """16-byte digest of the canonical text of the values, in order."""
    text = "\x1f".join(_canonical(v) for v in values)
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


def event_id(entity: str, natural_key: str, previous: bytes | None, digest: bytes | None
             ) -> uuid.UUID:
    """Id of the change previous → digest of one fact (None: absent / removed).

    The same change published twice (a re-run after a crash) has the same id; a
    fact that flips back to an earlier value is a new change with a new id.
    """
    return uuid.UUID(event_id_text(entity, natural_key, previous, digest))


def event_id_text(entity: str, natural_key: str, previous: bytes | None, digest: bytes | None
                  ) -> str:
    """The same id as text, cheaply: a version-8 (custom) UUID from a keyed hash."""
    h = hashlib.blake2b(b"%s\x1f%s\x1f%s\x1f%s" % (
        entity.encode(), natural_key.encode(), previous or b"-", digest or b"-"),
        digest_size=16, key=EVENT_NAMESPACE.bytes).hexdigest()
    return f"{h[:8]}-{h[8:12]}-8{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"


_VARIANT = {c: "89ab"[int(c, 16) % 4] for c in "0123456789abcdef"}


def _canonical(value: object) -> str:
    if isinstance(value, Decimal):
        # 1.50 and 1.5000 are the same amount: normalise, but keep 0 as "0"
        return format(value.normalize(), "f") if value else "0"
    if value is None:
        return "\x00"
    return str(value)


def stat_key(connector: str, date: str, advertiser_id: str, offer_id: str, affiliate_id: str,
             currency: str) -> str:
    return "|".join((connector, date, advertiser_id, offer_id, affiliate_id, currency))


def day_digest(totals: Iterable[tuple[str, str, Decimal, Decimal, int]]) -> bytes:
    """Digest of a day's totals per (advertiser, currency): revenue, payout, conversions.

    It is what the cheap probe of a partial sync compares: a day whose digest is
    unchanged has no change that alters what any advertiser is billed.
    """
    return fingerprint(v for row in sorted(totals) for v in row)
