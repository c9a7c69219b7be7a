"""The base of every wire model: strict for producers, lenient for consumers.

Models refuse unknown fields (``extra="forbid"``), so a producer's typo never
reaches a topic. Consumers read through :func:`affbill_contracts.codec.decode`,
which validates with ``extra="ignore"`` at every level, so a newer producer
adding a field never breaks an older consumer.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Contract(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
