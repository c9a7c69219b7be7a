"""Seller entities' rows: read, insert, update under a version (the only writer)."""

from __future__ import annotations

import json
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from affbill_billing.domain.fx import RateDateRule
from affbill_billing.domain.seller_entities import BankAccount, SellerEntity

COLUMNS = ("legal_name", "address", "country", "vat_id", "tax_number", "managing_directors",
           "register_court", "register_number", "bank_accounts", "language",
           "domestic_vat_rate", "fx_rate_date", "number_series")
JSON_COLUMNS = {"address", "managing_directors", "bank_accounts"}


def _param(column: str) -> str:
    return f"cast(:{column} as jsonb)" if column in JSON_COLUMNS else f":{column}"


def entity_of(row: Any) -> SellerEntity:
    return SellerEntity(
        row["entity"], row["legal_name"], dict(row["address"]), row["country"], row["vat_id"],
        row["tax_number"], tuple(row["managing_directors"]), row["register_court"],
        row["register_number"], tuple(BankAccount(**b) for b in row["bank_accounts"]),
        row["language"], Decimal(row["domestic_vat_rate"]),
        RateDateRule(row["fx_rate_date"]) if row.get("fx_rate_date") else None,
        row.get("number_series"))


def row_of(entity: SellerEntity) -> dict[str, Any]:
    values = {k: getattr(entity, k) for k in COLUMNS}
    values["managing_directors"] = list(entity.managing_directors)
    values["bank_accounts"] = [asdict(b) for b in entity.bank_accounts]
    values["fx_rate_date"] = entity.fx_rate_date and entity.fx_rate_date.value
    return {k: json.dumps(v) if k in JSON_COLUMNS else v for k, v in values.items()}


async def all_entities(conn: AsyncConnection) -> dict[str, SellerEntity]:
    rows = (await conn.execute(text("select * from seller_entities order by entity"))).mappings()
    return {r["entity"]: entity_of(r) for r in rows}


async def versions(conn: AsyncConnection) -> dict[str, int]:
    rows = await conn.execute(text("select entity, version from seller_entities"))
    return {r.entity: r.version for r in rows}


async def locked(conn: AsyncConnection, entity: str) -> tuple[SellerEntity, int] | None:
    """The entity and its version, its row locked until the transaction ends."""
    row = (await conn.execute(text("select * from seller_entities where entity = :e for update"),
                              {"e": entity})).mappings().first()
    return None if row is None else (entity_of(row), row["version"])


async def insert(conn: AsyncConnection, entity: SellerEntity) -> bool:
    """False when an entity of that name exists."""
    values = row_of(entity)
    casts = ", ".join(_param(k) for k in COLUMNS)
    done = await conn.execute(text(
        f"insert into seller_entities (entity, {', '.join(COLUMNS)}) values (:entity, {casts}) "
        "on conflict (entity) do nothing"), {**values, "entity": entity.entity})
    return done.rowcount == 1


async def update(conn: AsyncConnection, entity: SellerEntity) -> None:
    sets = ", ".join(f"{k} = {_param(k)}" for k in COLUMNS)
    await conn.execute(text(f"update seller_entities set {sets}, version = version + 1, "
                            "updated_at = now() where entity = :entity"),
                       {**row_of(entity), "entity": entity.entity})


async def series_exists(conn: AsyncConnection, series: str) -> bool:
    """Whether the number series exists; locked against removal until commit."""
    return bool(await conn.scalar(text(
        "select 1 from number_series where series = :s for key share"), {"s": series}))


async def entity_held(conn: AsyncConnection, entity: str) -> bool:
    """Whether the entity exists; it stays locked against removal until commit."""
    return bool(await conn.scalar(text(
        "select 1 from seller_entities where entity = :e for key share"), {"e": entity}))
