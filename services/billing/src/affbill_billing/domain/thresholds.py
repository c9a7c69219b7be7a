"""Billing thresholds defer, they don't drop: below the threshold, items wait."""

from __future__ import annotations

from decimal import Decimal


def reaches_threshold(open_total: Decimal, threshold: Decimal | None) -> bool:
    """Equal to the threshold is invoiced; no threshold means always."""
    return threshold is None or open_total >= threshold


def bills_now(total: Decimal, threshold: Decimal | None) -> bool:
    """A batch run bills a total when its size reaches the threshold, whatever its sign:
    a credit of 3.00 waits like an invoice of 3.00 (docs/decisions.md)."""
    return reaches_threshold(abs(total), threshold)
