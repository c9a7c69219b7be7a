"""Raw adtracker records → the common model. Bad records become Rejected, never exceptions."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from affbill_contracts.adtracker import ConversionStatus, PartnerStatus
from affbill_contracts.envelope import Payload
from affbill_contracts.vat_ids import vat_id_problem
from affbill_sync.domain import parsing
from affbill_sync.domain.model import StatFact
from affbill_sync.domain.quarantine import Rejected

PARTNER_STATUS = {
    "active": PartnerStatus.ACTIVE, "pending": PartnerStatus.PENDING,
    "paused": PartnerStatus.PAUSED, "inactive": PartnerStatus.PAUSED,
    "suspended": PartnerStatus.BLOCKED, "blocked": PartnerStatus.BLOCKED,
    "rejected": PartnerStatus.BLOCKED, "deleted": PartnerStatus.DELETED,
}
CONVERSION_STATUS = {
    "approved": ConversionStatus.APPROVED, "pending": ConversionStatus.PENDING,
    "rejected": ConversionStatus.REJECTED, "invalid": ConversionStatus.REJECTED,
}


def partner_status(raw: Any) -> PartnerStatus:
    return PARTNER_STATUS.get(str(raw or "").lower(), PartnerStatus.OTHER)


def conversion_status(raw: Any) -> ConversionStatus:
    return CONVERSION_STATUS.get(str(raw or "").lower(), ConversionStatus.OTHER)


def build(entity: str, model: type[Payload], raw: dict[str, Any], **fields: Any
          ) -> Payload | Rejected:
    """Validate a mapped record; a failure names the field and reason. A partner's VAT id
    must be one of its country (prefix, format, check digits)."""
    try:
        record = model(**fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        return Rejected(entity, raw, f"{field}: {first['msg']}")
    vat_id = getattr(record, "vat_id", None)
    address = getattr(record, "address", None)
    if vat_id and (problem := vat_id_problem(vat_id, address.country_code if address else None)):
        return Rejected(entity, raw, f"vat_id: {problem}")
    return record


def stat(raw: dict[str, Any], connector: str, **values: Any) -> StatFact | Rejected:
    """values: date, advertiser_id, offer_id, offer_name, affiliate_id, currency,
    conversions, revenue, payout — as the platform sent them."""
    try:
        return StatFact(
            date=parsing.day(values["date"]),
            advertiser_id=parsing.ident(values["advertiser_id"], "advertiser_id"),
            offer_id=parsing.ident(values["offer_id"], "offer_id"),
            offer_name=parsing.name(values.get("offer_name"), "offer_name"),
            affiliate_id=parsing.ident(values["affiliate_id"], "affiliate_id"),
            currency=parsing.currency(values["currency"]),
            conversions=parsing.count(values["conversions"], "conversions"),
            revenue=parsing.amount(values["revenue"], "revenue"),
            payout=parsing.amount(values["payout"], "payout"),
        )
    except parsing.BadValue as exc:
        key = "|".join(str(values.get(k) or "?") for k in
                       ("date", "advertiser_id", "offer_id", "affiliate_id", "currency"))
        return Rejected("stat", raw, str(exc), f"{connector}|{key}")


def local_time(text: str, timezone: str) -> dt.datetime:
    """'YYYY-MM-DD HH:MM:SS' in the network's time zone → aware UTC."""
    naive = dt.datetime.fromisoformat(text)
    return naive.replace(tzinfo=ZoneInfo(timezone)).astimezone(dt.UTC)
