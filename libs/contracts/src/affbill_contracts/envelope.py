"""The envelope every message travels in, and the registry of event types."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import AwareDatetime, Field, field_validator

from affbill_contracts.base import Contract
from affbill_contracts.bounds import INT32_MAX

P = TypeVar("P", bound="Payload")

#: event type → payload class (current schema version)
EVENT_TYPES: dict[str, type[Payload]] = {}


class Payload(Contract):
    """Base of every message payload. Subclasses name their type and schema version."""

    EVENT_TYPE: ClassVar[str] = ""
    SCHEMA_VERSION: ClassVar[int] = 1

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        event_type = cls.__dict__.get("EVENT_TYPE")
        if event_type:
            if event_type in EVENT_TYPES and EVENT_TYPES[event_type] is not cls:
                raise TypeError(f"event type {event_type!r} registered twice")
            EVENT_TYPES[event_type] = cls


class Envelope(Contract, Generic[P]):
    event_id: uuid.UUID = Field(
        default_factory=uuid.uuid4,
        description="Unique id of this message; consumers de-duplicate on it.",
        examples=["6f1c2a8e-3b8e-4a59-9d0e-0c6b3c1f2a10"],
    )
    type: str = Field(
        description="Event or command type; selects the payload schema.",
        examples=["adtracker.stat_row.synced"],
    )
    schema_version: int = Field(
        ge=1, le=INT32_MAX, strict=True, description="Version of the payload schema.",
        examples=[1],
    )
    occurred_at: AwareDatetime = Field(
        default_factory=lambda: datetime.now(UTC),
        description="When the fact happened (aware, UTC).",
        examples=["2026-11-26T10:15:00Z"],
    )
    job_id: uuid.UUID | None = Field(
        default=None,
        description="The job this message belongs to, when it belongs to one.",
        examples=["0b7d2f0e-8a43-4c52-a9a4-5d1a9e1f7c33", None],
    )
    payload: P = Field(description="The event or command itself.")
    signature: str | None = Field(
        default=None,
        description="HMAC-SHA256 (hex) of the envelope's canonical JSON without this field, "
                    "keyed with the services' shared secret (affbill_contracts.signing): set "
                    "by the producer of events a consumer must trust, such as InvoiceIssued.",
        examples=[None],
    )

    @field_validator("occurred_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)

    @classmethod
    def wrap(cls, payload: P, *, job_id: uuid.UUID | None = None, **extra: Any) -> Envelope[P]:
        """Put a payload in a fresh envelope, type and version taken from its class."""
        return Envelope[type(payload)](  # type: ignore[misc]
            type=payload.EVENT_TYPE,
            schema_version=payload.SCHEMA_VERSION,
            job_id=job_id,
            payload=payload,
            **extra,
        )
