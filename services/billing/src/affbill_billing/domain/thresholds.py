"""Billing thresholds defer, they don't drop: below the threshold, items wait."""

from __future__ import annotations

from decimal import Decimal


def reaches_threshold(open_total: Decimal, threshold: Decimal | None) -> bool:
    """Equal to the threshold is invoiced; no threshold means always."""
    return threshold is None or open_total >= threshold
