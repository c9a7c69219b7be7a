"""Number series as data: create and edit. A series that numbered documents keeps its
format (the numbers it gave stay its numbers, gapless): a new format is a new series."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from affbill_billing.adapters import numbering as repo
from affbill_billing.domain.drafts import DraftError
from affbill_billing.domain.numbering import NumberSeries, Reset, format_problems, locked_changes
from affbill_billing.service_layer.errors import NotFound, Refused


def _checked(series: NumberSeries) -> NumberSeries:
    if found := format_problems(series):
        raise DraftError(*found[0])
    return series


def series_from(values: dict[str, Any]) -> NumberSeries:
    fields = {k: v for k, v in values.items() if k in NumberSeries.__dataclass_fields__}
    if "reset" in fields:
        fields["reset"] = Reset(fields["reset"])
    return NumberSeries(**fields)


async def list_series(engine: AsyncEngine) -> list[dict[str, Any]]:
    """Every series with its format, the last counter it gave and an example number."""
    async with engine.connect() as conn:
        rows = await repo.all_series(conn)
    for row in rows:
        series = series_from(row)
        row["issued"] = row["last_counter"] is not None
        row["example"] = series.format(series.start, dt.date.today())
    return rows


async def create_series(engine: AsyncEngine, name: str, values: dict[str, Any]) -> None:
    async with engine.begin() as conn:
        if not await repo.insert(conn, name, _checked(series_from(values))):
            raise Refused(f"A number series {name!r} exists already")


async def change_series(engine: AsyncEngine, name: str, changes: dict[str, Any]) -> None:
    """Change a series' format while it has numbered nothing; afterwards 422 naming the
    field: its documents' numbers must stay its numbers."""
    async with engine.begin() as conn:
        found = await repo.locked(conn, name)
        if found is None:
            raise NotFound(f"No number series {name!r}")
        current, issued = found
        if changes.get("reset") is not None:
            changes = {**changes, "reset": Reset(changes["reset"])}
        if locked := locked_changes(changes, current, issued):
            raise DraftError(locked[0], "this series has numbered documents, so its format "
                             "cannot change: create a new series and name it in the profiles")
        after = _checked(replace(current, **{k: v for k, v in changes.items()
                                             if k in asdict(current)}))
        await repo.update(conn, name, after)
