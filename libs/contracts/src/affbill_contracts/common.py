"""Small value types shared by several contracts."""

from __future__ import annotations

from pydantic import Field

from affbill_contracts.base import Contract


class PostalAddress(Contract):
    lines: list[str] = Field(
        default_factory=list,
        max_length=3,
        description="Street lines, first to last.",
        examples=[["Hauptstraße 5", "3. OG"]],
    )
    postal_code: str | None = Field(default=None, description="Postal code.", examples=["10115"])
    city: str | None = Field(default=None, description="City.", examples=["Berlin"])
    region: str | None = Field(default=None, description="Region or state.", examples=["BE"])
    country_code: str | None = Field(
        default=None,
        pattern="^[A-Z]{2}$",
        description="ISO 3166-1 alpha-2 country code.",
        examples=["DE"],
    )
