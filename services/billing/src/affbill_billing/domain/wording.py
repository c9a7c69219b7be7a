"""Counts as the job log says them: `1 document`, `2 documents` (never "1 customers")."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count} {noun if count == 1 else plural or noun + 's'}"
