"""Input types that fit what stores them: text PostgreSQL can hold and people can read,
integers inside the columns and SQL arguments that receive them.

A value outside them is refused where it enters (422 naming the field), never halfway
into a database. `Text` refuses NUL (PostgreSQL's text cannot hold it), the other C0
controls except tab and line breaks, C1 controls and the bidi formatting characters
that make text read differently from what it is ("Trojan Source"). `Name` is a `Text`
of one line. Letters of every script are welcome: "Łukasz" is a name.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator, Field

INT64_MAX = 2**63 - 1
MAX_OFFSET = 2**31 - 1  # an offset past this is no page anyone reads; offset + limit stays int64
MAX_PAGE = 2**31 - 1

BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_REFUSED_IN_TEXT = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f{BIDI_CONTROLS}]")
_REFUSED_IN_NAME = re.compile(f"[\x00-\x1f\x7f\x80-\x9f{BIDI_CONTROLS}]")


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


Text = Annotated[str, BeforeValidator(_text)]
"""Free text (several lines allowed)."""

Name = Annotated[str, BeforeValidator(_name)]
"""One line of text: a name, an id, a number series."""

Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET, description="Rows to skip.")]
Page = Annotated[int, Field(ge=1, le=MAX_PAGE, description="Page number, from 1.")]
