"""The cursor a reader follows a job's log lines with.

Every line gets a number in the order it *arrived* (1, 2, … per job, taken under the
job's row lock, so numbers commit in order: nobody sees line n+1 before line n). Lines
are shown in the order they were *produced* (their Mark). A cursor is one of:

- ``Page(upto, last)``: reading the lines numbered ≤ ``upto`` in production order; the
  last one delivered was ``last``;
- ``Tail(upto)``: every line numbered ≤ ``upto`` was delivered; next come the lines
  numbered above it, including one that arrives late although it was produced before
  lines already shown. No line is skipped and none is delivered twice.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass

from affbill_jobs.domain.model import Mark

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Tail:
    upto: int


@dataclass(frozen=True)
class Page:
    upto: int
    last: Mark | None  # None: before the first line


Cursor = Tail | Page
START = Tail(0)


def encode(cursor: Cursor) -> str:
    if isinstance(cursor, Tail):
        return str(cursor.upto)
    raw = str(cursor.upto)
    if cursor.last is not None:
        micros = (cursor.last.at - _EPOCH) // dt.timedelta(microseconds=1)
        raw += f"|{micros}|{cursor.last.seq}|{cursor.last.service}"
    return "p" + base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(text: str) -> Cursor:
    """The cursor a previous answer handed out; ValueError for anything else."""
    try:
        if text.isdigit():
            return Tail(int(text))
        if not text.startswith("p"):
            raise ValueError(text)
        body = text[1:]
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
        upto, *mark = raw.split("|", 3)
        if not upto.isdigit() or len(mark) not in (0, 3) or (mark and not mark[2]):
            raise ValueError(raw)
        if not mark:
            return Page(int(upto), None)
        at = _EPOCH + dt.timedelta(microseconds=int(mark[0]))
        return Page(int(upto), Mark(at, mark[2], int(mark[1])))
    except (ValueError, UnicodeDecodeError, OverflowError):
        raise ValueError("not a cursor this service handed out") from None
