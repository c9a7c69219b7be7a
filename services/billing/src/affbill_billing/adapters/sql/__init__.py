"""The set-based SQL that stays SQL for speed, in named files beside their Python twins.

Adapters and migrations load them with :func:`load`; each file names its twin in
``affbill_billing.domain`` (the readable rule a property test compares it with).
"""

from __future__ import annotations

import functools
from importlib.resources import files


@functools.cache
def load(name: str) -> str:
    """The text of ``adapters/sql/<name>`` (shipped as package data)."""
    text = files(__name__).joinpath(name).read_text(encoding="utf-8")
    return text.replace("/*items_fingerprint*/", load("items_fingerprint.sql").strip()
                        if name != "items_fingerprint.sql" else "")
