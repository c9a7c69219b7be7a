"""Input types that fit what stores them: text PostgreSQL can hold and people can read,
integers inside the columns and SQL arguments that receive them.

A value outside them is refused where it enters — a 422 naming the field at an HTTP
route, a rejected (dead-lettered) message at a consumer — never halfway into a database.
Text never carries NUL or C0 control characters (tab, newline and carriage return are
allowed); names also refuse C1 and the bidi formatting characters that make text read
differently from what it is ("Trojan Source"). Free text typed into the API (`Text`)
refuses those too; free text that arrives in messages and is only shown (log lines) has
them scrubbed (`ScrubbedText`). Letters of every script are welcome: "Łukasz" is a name.
Counts fit ``integer`` columns, sequence numbers ``bigint``; amounts (money.Amount) fit
``numeric(28, 10)``.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1
MAX_OFFSET = INT32_MAX  # an offset past this is no page anyone reads; offset + limit stays int64
MAX_PAGE = INT32_MAX

BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_C0 = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f"  # without tab, newline, carriage return
_C1 = "\x80-\x9f"
_REFUSED_IN_TEXT = re.compile(f"[{_C0}{_C1}{BIDI_CONTROLS}]")
_REFUSED_IN_NAME = re.compile(f"[{_C0}\t\n\r{_C1}{BIDI_CONTROLS}]")
_CONTROL = re.compile(f"[{_C0}]")
_SCRUB = re.compile(f"[{_C1}{BIDI_CONTROLS}]")


def refusal(value: str, one_line: bool = False) -> str | None:
    """Why `value` is not acceptable text, or None."""
    found = (_REFUSED_IN_NAME if one_line else _REFUSED_IN_TEXT).search(value)
    if found is None:
        return None
    char = found.group()
    if char == "\x00":
        return "must not contain the NUL character"
    if char in BIDI_CONTROLS:
        return f"must not contain the bidi control character U+{ord(char):04X}"
    return f"must not contain the control character U+{ord(char):04X}"


# before str's own validation, so length and pattern constraints keep their usual messages
def _text(value: object) -> object:
    if isinstance(value, str) and (reason := refusal(value)):
        raise ValueError(reason)
    return value


def _name(value: object) -> object:
    if isinstance(value, str) and (reason := refusal(value, one_line=True)):
        raise ValueError(reason)
    return value


def text_problem(value: str, *, name: bool = False) -> str | None:
    """Why ``value`` may not travel as text (None when it may)."""
    found = (_REFUSED_IN_NAME if name else _CONTROL).search(value)
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
        try:  # the common case, a list of strings (a line's item ids): one scan in C
            if _CONTROL.search("".join(value)) is None:
                return value
        except TypeError:  # not only strings: each one in turn
            pass
        for item in value:
            check_nested_text(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_nested_text(key)
            check_nested_text(item)
    return value


Text = Annotated[str, BeforeValidator(_text)]
"""Free text typed into the API (several lines allowed)."""

Name = Annotated[str, BeforeValidator(_name)]
"""One line of text a person reads: a name, an id, a number series."""

ScrubbedText = Annotated[str, BeforeValidator(scrub)]
"""Free text shown to users: C1 and bidi controls removed, NUL and C0 still refused."""

Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET, description="Rows to skip.")]
Page = Annotated[int, Field(ge=1, le=MAX_PAGE, description="Page number, from 1.")]

Count = Annotated[int, Field(ge=0, le=INT32_MAX)]
"""A count stored in an ``integer`` column."""

Seq = Annotated[int, Field(ge=0, le=INT64_MAX)]
"""A sequence number stored in a ``bigint`` column."""
