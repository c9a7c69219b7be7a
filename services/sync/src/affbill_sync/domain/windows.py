"""Date windows of a sync: the default window and splitting a window in two."""

from __future__ import annotations

import datetime as dt


def default_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """The current and the previous month up to today: catches restated days of last month."""
    first_of_month = today.replace(day=1)
    previous = (first_of_month - dt.timedelta(days=1)).replace(day=1)
    return previous, today


def window_problem(date_from: dt.date, date_to: dt.date, max_days: int) -> str | None:
    """Why a sync window cannot be synced, or None: its start after its end, or longer
    than ``max_days`` days (one request per day range and one cursor per day)."""
    if date_from > date_to:
        return f"date_from {date_from} is after date_to {date_to}"
    length = (date_to - date_from).days + 1
    if length > max_days:
        return (f"the window {date_from} – {date_to} has {length} days; at most {max_days} "
                "are synced at once: split it into several syncs")
    return None


def split(date_from: dt.date, date_to: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Two halves of a window; a single day cannot be split and comes back alone."""
    days = (date_to - date_from).days
    if days < 1:
        return [(date_from, date_to)]
    middle = date_from + dt.timedelta(days=days // 2)
    return [(date_from, middle), (middle + dt.timedelta(days=1), date_to)]


def days(date_from: dt.date, date_to: dt.date) -> list[dt.date]:
    return [date_from + dt.timedelta(days=n) for n in range((date_to - date_from).days + 1)]


def ranges(sorted_days: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Contiguous ranges of the given sorted days (fewer, bigger requests)."""
    out: list[tuple[dt.date, dt.date]] = []
    for day in sorted_days:
        if out and out[-1][1] + dt.timedelta(days=1) == day:
            out[-1] = (out[-1][0], day)
        else:
            out.append((day, day))
    return out
