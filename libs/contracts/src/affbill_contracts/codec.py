"""Bytes ⇄ envelopes, with upcasting of older schema versions.

A breaking payload change bumps the payload's SCHEMA_VERSION and registers an
``@upcaster(type, from_version)`` that turns the old JSON into the next
version's, so consumers only ever see the current model.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from affbill_contracts.bounds import INT32_MAX
from affbill_contracts.envelope import EVENT_TYPES, Envelope, Payload

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
#: (event type, from version) → function turning that version's payload into the next one's
UPCASTERS: dict[tuple[str, int], Upcaster] = {}


class UnknownEventType(ValueError):
    pass


class UnsupportedSchemaVersion(ValueError):
    pass


def upcaster(event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    def register(fn: Upcaster) -> Upcaster:
        UPCASTERS[(event_type, from_version)] = fn
        return fn

    return register


def upcast(raw: dict[str, Any]) -> dict[str, Any]:
    """Bring a raw envelope's payload up to the current schema version.

    Whatever the JSON holds, a problem is a ValueError naming the field."""
    event_type = raw.get("type")
    if not isinstance(event_type, str):
        raise UnknownEventType(f"type: must be a string, got {_shown(event_type)}")
    cls = EVENT_TYPES.get(event_type)
    if cls is None:
        raise UnknownEventType(f"type: unknown event type {_shown(event_type)}")
    version = raw.get("schema_version", 1)
    if type(version) is not int or not 1 <= version <= INT32_MAX:
        raise UnsupportedSchemaVersion(
            f"schema_version: must be a whole number from 1, got {_shown(version)}")
    if not isinstance(raw.get("payload"), dict):
        raise ValueError(f"payload: must be a JSON object, got {_shown(raw.get('payload'))}")
    if version > cls.SCHEMA_VERSION:
        raise UnsupportedSchemaVersion(
            f"{event_type} schema_version {version} is newer than this consumer's "
            f"{cls.SCHEMA_VERSION}; upgrade the consumer"
        )
    while version < cls.SCHEMA_VERSION:
        step = UPCASTERS.get((event_type, version))
        if step is None:
            raise UnsupportedSchemaVersion(f"no upcaster for {event_type} v{version}")
        raw = {**raw, "payload": step(raw["payload"]), "schema_version": version + 1}
        version += 1
    return raw


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


@functools.cache
def envelope_of(cls: type[Payload]) -> type[Envelope[Any]]:
    """Envelope[cls], looked up once (parametrising a generic model is not free)."""
    return Envelope[cls]  # type: ignore[valid-type]


def decode(data: bytes | str | dict[str, Any]) -> Envelope[Any]:
    """Parse a message as a consumer: upcast, then validate ignoring unknown fields."""
    raw = json.loads(data) if isinstance(data, (bytes, str)) else data
    if not isinstance(raw, dict):
        raise ValueError(f"message is not a JSON object but a JSON {type(raw).__name__}")
    raw = upcast(raw)
    return envelope_of(EVENT_TYPES[raw["type"]]).model_validate(raw, extra="ignore")


def decode_as(cls: type[Payload], data: bytes | str) -> Envelope[Any]:
    """Fast path for a consumer that expects one event type: validate the JSON in one go,
    and fall back to :func:`decode` (upcasting, other types) when it is anything else."""
    try:
        envelope = envelope_of(cls).model_validate_json(data, extra="ignore")
    except ValueError:
        return decode(data)
    if envelope.type != cls.EVENT_TYPE or envelope.schema_version != cls.SCHEMA_VERSION:
        return decode(data)
    return envelope


def clean(data: bytes | str | dict[str, Any]) -> dict[str, Any]:
    """Upcast and drop unknown fields, giving the current version's JSON form.

    For consumers that hand the message to a validating framework (FastStream)."""
    return decode(data).model_dump(mode="json")


def encode(envelope: Envelope[Any]) -> bytes:
    return envelope.model_dump_json().encode()
