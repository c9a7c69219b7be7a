"""Number series: prefix + counter + suffix, gapless; the counter is kept by the caller
in a row locked by the issuing transaction. A series resets never or yearly; once it has
numbered a document its format is fixed (the numbers it gave must stay its numbers)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

YEAR = "{yyyy}"
FORMAT_FIELDS = ("prefix", "suffix", "padding", "start", "cancellation_suffix", "reset")
TEXT = re.compile(r"^[A-Za-z0-9/_.\-{}]*$")


class Reset(StrEnum):
    NEVER = "never"
    YEARLY = "yearly"  # the counter starts again at `start` in each new year


@dataclass(frozen=True)
class NumberSeries:
    prefix: str = "INV-{yyyy}-"
    suffix: str = ""
    padding: int = 5
    start: int = 1
    cancellation_suffix: str = "-S"
    reset: Reset = Reset.NEVER

    def next_counter(self, last: int | None) -> int:
        return self.start if last is None else max(last + 1, self.start)

    def format(self, counter: int, issue_date: dt.date, cancellation: bool = False) -> str:
        prefix = self.prefix.replace(YEAR, f"{issue_date.year:04d}")
        suffix = self.suffix.replace(YEAR, f"{issue_date.year:04d}") + (
            self.cancellation_suffix if cancellation else "")
        return f"{prefix}{counter:0{self.padding}d}{suffix}"


def earlier_year(series: NumberSeries, counter_year: int | None, year: int) -> bool:
    """Whether a document of `year` is late for a yearly series that has moved on: it then
    continues that year's own counter (a backdated Create in January for December)."""
    return series.reset is Reset.YEARLY and counter_year is not None and year < counter_year


def first_counter(series: NumberSeries, last: int | None, counter_year: int | None,
                  year: int, kept: dict[int, int] | None = None) -> int:
    """Python twin of TAKE_NUMBERS and TAKE_EARLIER_YEAR: the next counter of a series for a
    document of `year`. A yearly series starts again in a later year; a document of a year
    it has left continues that year's last counter (`kept`: year → last counter)."""
    if earlier_year(series, counter_year, year):
        return (kept or {}).get(year, series.start - 1) + 1
    if series.reset is Reset.YEARLY and counter_year is not None and year > counter_year:
        return series.start
    return series.next_counter(last)


def last_counter_of(series: NumberSeries, numbers: Iterable[str], year: int) -> int:
    """The highest counter among a year's numbers of the series (corrections included),
    `start - 1` when it gave none: where a late document of that year goes on."""
    prefix, suffix = (part.replace(YEAR, f"{year:04d}") for part in (series.prefix,
                                                                     series.suffix))
    found = series.start - 1
    for number in numbers:
        core = number.removesuffix(series.cancellation_suffix) if number.endswith(
            suffix + series.cancellation_suffix) else number
        if core.startswith(prefix) and core.endswith(suffix):
            digits = core[len(prefix):len(core) - len(suffix)]
            if digits.isdigit():
                found = max(found, int(digits))
    return found


def format_problems(series: NumberSeries) -> list[tuple[str, str]]:
    """Why the series cannot number documents: (field, reason) pairs."""
    found = [(name, "letters, digits, / _ . - and {yyyy} only")
             for name in ("prefix", "suffix", "cancellation_suffix")
             if not TEXT.match(getattr(series, name))]
    if not 1 <= series.padding <= 12:
        found.append(("padding", "a counter width from 1 to 12"))
    if series.start < 1:
        found.append(("start", "the first number is at least 1"))
    if series.reset is Reset.YEARLY and YEAR not in series.prefix + series.suffix:
        found.append(("reset", "a yearly series needs {yyyy} in its prefix or suffix, or its "
                               "numbers would repeat"))
    if not series.cancellation_suffix:
        found.append(("cancellation_suffix", "corrections need a suffix of their own"))
    return found


def locked_changes(changes: dict[str, object], current: NumberSeries,
                   issued: bool) -> list[str]:
    """The format fields a change would alter on a series that numbered documents."""
    if not issued:
        return []
    return [k for k in FORMAT_FIELDS if k in changes and changes[k] != getattr(current, k)]
