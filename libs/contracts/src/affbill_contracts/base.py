"""The base of every wire model: strict for producers, lenient for consumers.

Producers build messages with the constructor, which refuses unknown fields
(``extra="forbid"``), so a typo never reaches a topic. Consumers validate with
``model_validate``/``model_validate_json``, which ignore unknown fields, so a
newer producer adding a field never breaks an older consumer.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class Contract(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    def __init__(self, /, **data: Any) -> None:
        # Same as BaseModel.__init__ but strict about unknown fields, nested ones included.
        self.__pydantic_validator__.validate_python(data, self_instance=self, extra="forbid")

    @classmethod
    def parse_strict(cls, data: Any) -> "Contract":
        """Validate as a producer would: unknown fields are an error."""
        return cls.model_validate(data, extra="forbid")
