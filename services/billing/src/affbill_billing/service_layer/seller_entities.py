"""Seller entities: create and edit the companies that issue documents. Each change is one
transaction that checks the entity as it will stand (mandatory details, VAT id, IBANs) and
keeps its audit entry; an edit names the version it was made on."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from affbill_billing.adapters import seller_entities_repo as repo
from affbill_billing.config import PLACEHOLDERS, Settings
from affbill_billing.domain.drafts import DraftError
from affbill_billing.domain.fx import RateDateRule
from affbill_billing.domain.seller_entities import BankAccount, SellerEntity, problems
from affbill_billing.service_layer import audit_trail
from affbill_billing.service_layer.errors import NotFound, Refused


def entity_from(name: str, values: dict[str, Any]) -> SellerEntity:
    """An entity from the API's fields (already typed by the request model)."""
    return SellerEntity(
        name, values["legal_name"], dict(values["address"]), values["country"],
        values.get("vat_id"), values.get("tax_number"), tuple(values["managing_directors"]),
        values["register_court"], values["register_number"],
        tuple(BankAccount(**b) for b in values["bank_accounts"]),
        values.get("language") or "en", Decimal(str(values["domestic_vat_rate"])),
        RateDateRule(values["fx_rate_date"]) if values.get("fx_rate_date") else None,
        values.get("number_series"))


def as_json(entity: SellerEntity, version: int | None = None) -> dict[str, Any]:
    data = asdict(entity)
    data.pop("extra")
    data["domestic_vat_rate"] = str(entity.domestic_vat_rate)
    data["company_register"] = entity.company_register
    return data | ({"version": version} if version is not None else {})


def _checked(entity: SellerEntity, settings: Settings) -> SellerEntity:
    if found := problems(entity):
        raise DraftError(*found[0])
    if settings.production:  # the shipped example details never issue a real document
        shipped = {str(type(settings).model_fields[n].default) for n in PLACEHOLDERS} | {
            "DE999999999", "DE89370400440532013000", "HRB 000000", "37/000/00000"}
        for name, value in (("vat_id", entity.vat_id), ("tax_number", entity.tax_number),
                            ("register_number", entity.register_number),
                            *((f"bank_accounts.{n}.iban", b.iban)
                              for n, b in enumerate(entity.bank_accounts))):
            if value in shipped:
                raise DraftError(name, f"{value!r} is the shipped placeholder: give the real one")
    return entity


async def _series_held(conn: AsyncConnection, entity: SellerEntity) -> None:
    if entity.number_series and not await repo.series_exists(conn, entity.number_series):
        raise DraftError("number_series", f"no number series {entity.number_series!r}")


async def list_entities(engine: AsyncEngine) -> list[dict[str, Any]]:
    async with engine.connect() as conn:
        found, versions = await repo.all_entities(conn), await repo.versions(conn)
    return [as_json(e, versions[name]) for name, e in found.items()]


async def create_entity(engine: AsyncEngine, entity: SellerEntity, settings: Settings
                        ) -> None:
    async with engine.begin() as conn:
        await _series_held(conn, entity)
        if not await repo.insert(conn, _checked(entity, settings)):
            raise Refused(f"A seller entity {entity.entity!r} exists already")
        await audit_trail.seller_entity_changed(conn, entity.entity, "create", None,
                                                as_json(entity))


async def change_entity(engine: AsyncEngine, name: str, changes: dict[str, Any],
                        version: int | None, settings: Settings) -> None:
    """Apply the changes if the entity is still at ``version`` (None: any)."""
    async with engine.begin() as conn:
        found = await repo.locked(conn, name)
        if found is None:
            raise NotFound(f"No seller entity {name!r}")
        before, current = found
        if version is not None and version != current:
            raise Refused(f"The seller entity changed meanwhile (now version {current})")
        merged = {**as_json(before), **changes}
        after = _checked(entity_from(name, merged), settings)
        await _series_held(conn, after)
        await repo.update(conn, after)
        await audit_trail.seller_entity_changed(conn, name, "change", as_json(before),
                                                as_json(after))
