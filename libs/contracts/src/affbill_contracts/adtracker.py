"""adtracker.*: the facts synced from the tracking platform, in the common model.

Every fact names the connector it came from; ids are the adtracker's own ids as
strings. Amounts keep the source precision; dates of stats are days in the
network's time zone; times are aware UTC.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import ClassVar

from pydantic import AwareDatetime, Field

from affbill_contracts.bounds import Count, Name
from affbill_contracts.common import PostalAddress
from affbill_contracts.envelope import Payload
from affbill_contracts.money import Amount, CurrencyCode

_CONNECTOR = Field(min_length=1, max_length=64, description="Connector the fact came from.",
                   examples=["hasoffers-main"])


class PartnerStatus(StrEnum):
    ACTIVE = "active"
    PENDING = "pending"
    PAUSED = "paused"
    BLOCKED = "blocked"
    DELETED = "deleted"
    OTHER = "other"


class EmployeeSynced(Payload):
    EVENT_TYPE: ClassVar[str] = "adtracker.employee.synced"

    connector: str = _CONNECTOR
    employee_id: str = Field(min_length=1, description="Adtracker employee id.", examples=["12"])
    first_name: Name = Field(default="", description="First name.", examples=["Anna"])
    last_name: Name = Field(default="", description="Last name.", examples=["Schmidt"])
    email: str | None = Field(default=None, description="E-mail address.",
                              examples=["anna@network.example"])
    status: PartnerStatus = Field(description="Account status.", examples=["active"])


class _Partner(Payload):
    connector: str = _CONNECTOR
    company: Name = Field(min_length=1, description="Company name.", examples=["Acme Media GmbH"])
    status: PartnerStatus = Field(description="Account status, mapped.", examples=["active"])
    status_raw: str = Field(default="", description="Status as the adtracker says it.",
                            examples=["active"])
    account_manager_id: str | None = Field(
        default=None, description="Employee id of the account manager.", examples=["12"])
    currency: CurrencyCode | None = Field(
        default=None, description="Default currency of the account.", examples=["EUR"])
    address: PostalAddress | None = Field(default=None, description="Postal address.")
    vat_id: str | None = Field(default=None, description="VAT id as kept in the adtracker.",
                               examples=["DE123456789"])
    email: str | None = Field(default=None, description="Billing contact e-mail.",
                              examples=["billing@acme.example"])


class AdvertiserSynced(_Partner):
    EVENT_TYPE: ClassVar[str] = "adtracker.advertiser.synced"

    advertiser_id: str = Field(min_length=1, description="Adtracker advertiser id.",
                               examples=["501"])


class AffiliateSynced(_Partner):
    EVENT_TYPE: ClassVar[str] = "adtracker.affiliate.synced"

    affiliate_id: str = Field(min_length=1, description="Adtracker affiliate id.",
                              examples=["1007"])


class StatRowSynced(Payload):
    """One stat row: a day of one offer for one advertiser/affiliate in one currency."""

    EVENT_TYPE: ClassVar[str] = "adtracker.stat_row.synced"

    connector: str = _CONNECTOR
    stat_key: str = Field(
        min_length=1,
        description="Natural key: connector|date|advertiser|offer|affiliate|currency.",
        examples=["hasoffers-main|2026-11-01|501|33|1007|EUR"],
    )
    date: dt.date = Field(description="Day, in the network's time zone.", examples=["2026-11-01"])
    advertiser_id: str = Field(min_length=1, description="Advertiser id.", examples=["501"])
    offer_id: str = Field(min_length=1, description="Offer id.", examples=["33"])
    offer_name: Name = Field(default="", description="Offer name.", examples=["Acme Shop CPS DE"])
    affiliate_id: str = Field(min_length=1, description="Affiliate id.", examples=["1007"])
    currency: CurrencyCode = Field(description="Currency of the amounts.", examples=["EUR"])
    conversions: Count = Field(description="Approved conversions (units).",
                                        examples=[42])
    revenue: Amount = Field(description="Revenue billable to the advertiser, source precision.",
                            examples=["1234.56789"])
    payout: Amount = Field(description="Payout owed to the affiliate, source precision.",
                           examples=["987.65000"])
    removed: bool = Field(
        default=False,
        description="True when the row disappeared from the source: restate it to zero.",
        examples=[False],
    )


class ConversionStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    OTHER = "other"


class ConversionSynced(Payload):
    """A conversion and its current status; a status change is a new fact."""

    EVENT_TYPE: ClassVar[str] = "adtracker.conversion.synced"

    connector: str = _CONNECTOR
    conversion_id: str = Field(min_length=1, description="Adtracker conversion id.",
                               examples=["c-88123"])
    advertiser_id: str = Field(min_length=1, description="Advertiser id.", examples=["501"])
    offer_id: str = Field(min_length=1, description="Offer id.", examples=["33"])
    affiliate_id: str = Field(min_length=1, description="Affiliate id.", examples=["1007"])
    status: ConversionStatus = Field(description="Status, mapped.", examples=["pending"])
    status_raw: str = Field(default="", description="Status as the adtracker says it.",
                            examples=["pending"])
    currency: CurrencyCode = Field(description="Currency of the amounts.", examples=["EUR"])
    revenue: Amount = Field(description="Revenue, source precision.", examples=["12.50000"])
    payout: Amount = Field(description="Payout, source precision.", examples=["8.00000"])
    converted_at: AwareDatetime = Field(description="When the conversion happened (UTC).",
                                        examples=["2026-11-01T13:45:00Z"])
