"""Checking raw adtracker values: every failure names the field and the reason."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from affbill_contracts.bounds import INT32_MAX, text_problem
from affbill_contracts.money import MINOR_UNITS


class BadValue(ValueError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field


def amount(raw: Any, field: str) -> Decimal:
    if isinstance(raw, bool) or raw is None or raw == "":
        raise BadValue(field, f"missing amount ({raw!r})")
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise BadValue(field, f"not a number: {raw!r}") from None
    if not value.is_finite():
        raise BadValue(field, f"not a finite number: {raw!r}")
    if value.as_tuple().exponent < -10 or (value and value.adjusted() >= 18):  # numeric(28, 10)
        raise BadValue(field, f"out of range (18 digits, 10 decimals at most): {raw!r}")
    return value


def count(raw: Any, field: str) -> int:
    try:
        value = int(str(raw))
    except ValueError:
        raise BadValue(field, f"not a whole number: {raw!r}") from None
    if value < 0:
        raise BadValue(field, f"negative count: {raw!r}")
    if value > INT32_MAX:
        raise BadValue(field, f"count too large: {raw!r}")
    return value


def currency(raw: Any, field: str = "currency") -> str:
    code = str(raw or "").upper()
    if code not in MINOR_UNITS:
        raise BadValue(field, f"unknown currency {raw!r}")
    return code


def ident(raw: Any, field: str) -> str:
    text = "" if raw is None else str(raw).strip()
    if not text or text in {"0", "None", "null"}:
        raise BadValue(field, f"missing id ({raw!r})")
    if problem := text_problem(text, name=True):
        raise BadValue(field, problem)
    return text


def name(raw: Any, field: str) -> str:
    """A name a clerk reads: no control characters (NUL, C0, C1, bidi)."""
    text = str(raw or "")
    if problem := text_problem(text, name=True):
        raise BadValue(field, problem)
    return text


def day(raw: Any, field: str = "date") -> dt.date:
    try:
        return dt.date.fromisoformat(str(raw)[:10])
    except ValueError:
        raise BadValue(field, f"not a date: {raw!r}") from None
