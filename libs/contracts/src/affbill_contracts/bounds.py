"""What a value may be so that every consumer can store it: text and number bounds.

A message that passes the contract must also fit the columns it ends up in, or one
message stops a consumer in Postgres instead of being refused here with its reason.
Text never carries NUL or C0 control characters (tab, newline and carriage return
are allowed); names also refuse C1 and bidirectional controls, which reorder or hide
what a clerk reads. Counts fit ``integer`` columns, sequence numbers ``bigint``;
amounts (money.Amount) fit ``numeric(28, 10)``.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1

_C0 = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f"  # without tab, newline, carriage return
_C1 = "\x80-\x9f"
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[{_C0}]")
_NAME_CONTROL = re.compile(f"[{_C0}\t\n\r{_C1}{_BIDI}]")
_SCRUB = re.compile(f"[{_C1}{_BIDI}]")


def text_problem(value: str, *, name: bool = False) -> str | None:
    """Why ``value`` may not travel as text (None when it may)."""
    found = (_NAME_CONTROL if name else _CONTROL).search(value)
    if found is None:
        return None
    kind = "NUL" if found.group() == "\x00" else f"control character U+{ord(found.group()):04X}"
    return f"{kind} at position {found.start()} is not allowed in {'a name' if name else 'text'}"


def check_text(value: str) -> str:
    if problem := text_problem(value):
        raise ValueError(problem)
    return value


def check_name(value: str) -> str:
    if problem := text_problem(value, name=True):
        raise ValueError(problem)
    return value


def scrub(value: Any) -> Any:
    """Drop C1 and bidi controls from free text that is shown, not interpreted (log lines)."""
    return _SCRUB.sub("", value) if isinstance(value, str) else value


def check_nested_text(value: Any) -> Any:
    """Every string in a value (lists, dicts, their keys): text rules (NUL, C0 refused)."""
    if isinstance(value, str):
        check_text(value)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            check_nested_text(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_nested_text(key)
            check_nested_text(item)
    return value


Name = Annotated[str, AfterValidator(check_name)]
"""A name a person reads (company, offer, billing name): no control characters at all."""

ScrubbedText = Annotated[str, BeforeValidator(scrub)]
"""Free text shown to users: C1 and bidi controls removed, NUL and C0 still refused."""

Count = Annotated[int, Field(ge=0, le=INT32_MAX)]
"""A count stored in an ``integer`` column."""

Seq = Annotated[int, Field(ge=0, le=INT64_MAX)]
"""A sequence number stored in a ``bigint`` column."""
