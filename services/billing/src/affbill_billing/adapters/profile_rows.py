"""The billing profile's row as the clerk edits it: read, lock, update (the only writer)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection


async def row(conn: AsyncConnection, customer_id: str) -> dict[str, Any] | None:
    found = (await conn.execute(text("select * from billing_profiles where customer_id = :c"),
                                {"c": customer_id})).mappings().first()
    return None if found is None else dict(found)


async def locked_version(conn: AsyncConnection, customer_id: str) -> int | None:
    """The profile's version, its row locked until the transaction ends (None: no profile)."""
    return await conn.scalar(text(
        "select version from billing_profiles where customer_id = :c for update"),
        {"c": customer_id})


async def series_held(conn: AsyncConnection, series: str) -> bool:
    """Whether the number series exists; it stays locked against removal until commit."""
    return bool(await conn.scalar(text(
        "select 1 from number_series where series = :s for key share"), {"s": series}))


JSON = ("address", "bank_account")


async def update(conn: AsyncConnection, customer_id: str, changes: dict[str, Any]) -> None:
    """Store the changed fields (names already checked by the request model), version + 1."""
    values = {k: json.dumps(v) if k in JSON else v for k, v in changes.items()}
    sets = ", ".join(f"{k} = cast(:{k} as jsonb)" if k in JSON else f"{k} = :{k}"
                     for k in values)
    await conn.execute(text(f"update billing_profiles set {sets}, version = version + 1, "
                            "updated_at = now() where customer_id = :c"),
                       {**values, "c": customer_id})
