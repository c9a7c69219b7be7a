"""Answers of the gateway's own routes (keys, runs, sync requests, the audit trail), typed
for its OpenAPI document; the forwarded routes take theirs from their services."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from affbill_contracts.wire import Id, JobStarted, Page, Timestamp, View


class ApiKey(View):
    """An API key without its secret: who uses it, the role, when made and revoked."""

    key_id: Id
    prefix: str = Field(description="The key's first characters, to tell keys apart.")
    name: str
    role: str = Field(examples=["accountant"])
    created_at: Timestamp
    created_by: str | None
    revoked_at: Timestamp | None


class NewApiKey(ApiKey):
    key: str = Field(description="The key in clear text: shown in this answer only.")


class ApiKeyPage(Page):
    items: list[ApiKey]


class AuditEntry(View):
    seq: int
    at: Timestamp
    actor: str
    entity_kind: str
    entity_id: str
    action: str
    before: Any
    after: Any


class AuditPage(Page):
    items: list[AuditEntry]


class ChainStatus(View):
    entries: int | None = None
    intact: bool | None = None
    broken_at: int | None
    problem: str | None


__all__ = ["JobStarted"]
