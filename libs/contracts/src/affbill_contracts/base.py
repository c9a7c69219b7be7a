"""The base of every wire model: strict for producers, lenient for consumers.

Models refuse unknown fields (``extra="forbid"``), so a producer's typo never
reaches a topic. Consumers read through :func:`affbill_contracts.codec.decode`,
which validates with ``extra="ignore"`` at every level, so a newer producer
adding a field never breaks an older consumer. Every string of every model
follows the text rules of :mod:`affbill_contracts.bounds` (no NUL, no C0 controls).
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import typing
import uuid
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

from affbill_contracts.bounds import check_nested_text

_TEXT_FREE = (bool, int, float, Decimal, uuid.UUID, dt.date, dt.datetime, dt.time,
              dt.timedelta, bytes, type(None), BaseModel, enum.Enum)


def _may_hold_text(annotation: Any) -> bool:
    """Whether a field so annotated may hold a string the text rules must see (unknown
    types: yes). Models check their own fields; enums and literals are fixed values."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _may_hold_text(typing.get_args(annotation)[0])
    if origin is typing.Literal:
        return False
    if origin is not None:
        return any(_may_hold_text(a) for a in typing.get_args(annotation) if a is not ...)
    if isinstance(annotation, type):
        return issubclass(annotation, str) and not issubclass(annotation, enum.Enum) or \
            not issubclass(annotation, _TEXT_FREE)
    return True


@functools.cache
def _text_free_fields(model: type[BaseModel]) -> frozenset[str]:
    return frozenset(name for name, field in model.model_fields.items()
                     if not _may_hold_text(field.annotation))


class Contract(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("*", mode="after")
    @classmethod
    def _text_rules(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None or isinstance(value, BaseModel) or (
                info.field_name in _text_free_fields(cls)):
            return value  # amounts, ids, dates, enums: no text to check (the hot path)
        return check_nested_text(value)
