"""HTTP routes of seller entities: list, read, create, edit (names the field on bad input)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from affbill_billing.domain.fx import RateDateRule
from affbill_billing.entrypoints import views_api as v
from affbill_billing.entrypoints.problems import ProblemRoute
from affbill_billing.service_layer import seller_entities as service
from affbill_contracts.bounds import Name
from affbill_contracts.wire import answers
from affbill_runtime.runtime import Runtime

Country = Field(pattern="^[A-Z]{2}$")


class EntityAddress(BaseModel):
    model_config = {"extra": "forbid"}
    lines: list[Name] = Field(min_length=1, max_length=3)
    postal_code: Name | None = Field(None, max_length=20)
    city: Name = Field(min_length=1, max_length=100)


class BankAccountIn(BaseModel):
    model_config = {"extra": "forbid"}
    iban: Name = Field(min_length=5, max_length=40)
    bic: Name | None = Field(None, max_length=11)
    bank_name: Name | None = Field(None, max_length=100)


class EntityFields(BaseModel):
    """A seller entity's details, as every document it issues prints them."""

    model_config = {"extra": "forbid"}
    legal_name: Name = Field(min_length=1, max_length=200, examples=["Affiliate Network GmbH"])
    address: EntityAddress
    country: str = Country
    vat_id: Name | None = Field(None, max_length=30, examples=["DE136695976"])
    tax_number: Name | None = Field(None, max_length=30, examples=["27/815/08155"])
    managing_directors: list[Name] = Field(min_length=1, max_length=10)
    register_court: Name = Field(min_length=1, max_length=100, examples=["Amtsgericht Berlin"])
    register_number: Name = Field(min_length=1, max_length=50, examples=["HRB 123456"])
    bank_accounts: list[BankAccountIn] = Field(min_length=1, max_length=5)
    language: str = Field("en", pattern="^(de|en)$", description="Documents' language.")
    domestic_vat_rate: Decimal = Field(Decimal(19), gt=0, lt=100, decimal_places=2)
    fx_rate_date: RateDateRule | None = Field(None, description=(
        "Which day's exchange rate its foreign-currency documents use: invoice_date or "
        "last_day_of_period (null: AFFBILL_BILLING_FX_RATE_DATE)."))
    number_series: Name | None = Field(None, min_length=1, max_length=50, description=(
        "Default number series of its invoices: profiles left at the series `default` are "
        "numbered from it."), examples=["gmbh"])


class EntityIn(EntityFields):
    entity: Name = Field(min_length=1, max_length=50, pattern=r"^[a-z0-9][a-z0-9_-]*$",
                         examples=["gmbh"])


class EntityChange(BaseModel):
    """Fields to change; those left out stay as they are."""

    model_config = {"extra": "forbid"}
    version: int | None = Field(None, ge=1, description="The version you edited; 409 if moved.")
    legal_name: Name | None = Field(None, min_length=1, max_length=200)
    address: EntityAddress | None = None
    country: str | None = Field(None, pattern="^[A-Z]{2}$")
    vat_id: Name | None = Field(None, max_length=30)
    tax_number: Name | None = Field(None, max_length=30)
    managing_directors: list[Name] | None = Field(None, min_length=1, max_length=10)
    register_court: Name | None = Field(None, min_length=1, max_length=100)
    register_number: Name | None = Field(None, min_length=1, max_length=50)
    bank_accounts: list[BankAccountIn] | None = Field(None, min_length=1, max_length=5)
    language: str | None = Field(None, pattern="^(de|en)$")
    domestic_vat_rate: Decimal | None = Field(None, gt=0, lt=100, decimal_places=2)
    fx_rate_date: RateDateRule | None = None
    number_series: Name | None = Field(None, min_length=1, max_length=50)



def build_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(tags=["seller entities"], route_class=ProblemRoute)
    engine, settings = runtime.engine, runtime.settings

    async def one(name: str) -> dict[str, Any]:
        for entity in await service.list_entities(engine):
            if entity["entity"] == name:
                return entity
        raise HTTPException(404, f"No seller entity {name!r}")

    @router.get("/seller-entities", **answers(list[v.SellerEntity]))
    async def list_entities() -> list[dict[str, Any]]:
        return await service.list_entities(engine)

    @router.get("/seller-entities/{entity}", **answers(v.SellerEntity))
    async def get_entity(entity: str) -> dict[str, Any]:
        return await one(entity)

    @router.post("/seller-entities", status_code=201, **answers(v.SellerEntity, 201))
    async def create_entity(body: EntityIn) -> dict[str, Any]:
        values = body.model_dump(exclude={"entity"}, mode="python")
        await service.create_entity(engine, service.entity_from(body.entity, values),
                                    settings)
        return await one(body.entity)

    @router.patch("/seller-entities/{entity}", **answers(v.SellerEntity))
    async def change_entity(entity: str, body: EntityChange) -> dict[str, Any]:
        changes = body.model_dump(exclude_unset=True, exclude={"version"}, mode="python")
        await service.change_entity(engine, entity, changes, body.version, settings)
        return await one(entity)

    return router
