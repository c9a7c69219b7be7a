"""The base of every wire model: strict for producers, lenient for consumers.

Models refuse unknown fields (``extra="forbid"``), so a producer's typo never
reaches a topic. Consumers read through :func:`affbill_contracts.codec.decode`,
which validates with ``extra="ignore"`` at every level, so a newer producer
adding a field never breaks an older consumer. Every string of every model
follows the text rules of :mod:`affbill_contracts.bounds` (no NUL, no C0 controls).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from affbill_contracts.bounds import check_nested_text


class Contract(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("*", mode="after")
    @classmethod
    def _text_rules(cls, value: Any) -> Any:
        if isinstance(value, BaseModel) or value is None:
            return value
        return check_nested_text(value)
