"""The fingerprint of a customer's open items: what a run read, so a statement can tell.

Python twin of ``adapters/sql/items_fingerprint.sql``: md5 over item id, units and revenue
(numeric as Postgres prints it) in item-id order. A single-statement billing keeps its
writes only if the items it invoiced carry the fingerprint computed here from the read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from decimal import Decimal

from affbill_billing.domain.grouping import Item


def fingerprint(items: Sequence[Item]) -> str:
    """What items_fingerprint.sql computes in Postgres for the same items."""
    text = ",".join(f"{i.item_id}/{i.units}/{plain(i.revenue)}"
                    for i in sorted(items, key=lambda i: i.item_id))
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def plain(amount: Decimal) -> str:
    """``amount`` as Postgres prints a numeric: never in exponent notation (str() is the
    fast way for what the database hands back, format 'f' the exact one for the rest)."""
    text = str(amount)
    return text if "E" not in text else f"{amount:f}"
