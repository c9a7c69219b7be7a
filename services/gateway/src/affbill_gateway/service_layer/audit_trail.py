"""The gateway's changes in the audit trail (affbill_runtime.audit): API keys — the users —
created and revoked, as they are shown (prefix, name, role), never their secret or hash."""

from __future__ import annotations

from typing import Any

from affbill_runtime import audit
from affbill_runtime.acting import Actor

API_KEY = "api_key"
CONFIGURATION = Actor("configuration")  # the first admin key, from the settings


async def key_changed(conn: Any, action: str, before: Any, after: Any,
                      who: Actor | None = None) -> None:
    """Append in the transaction of `conn`; `before`/`after` are rows of keys.SHOWN."""
    shown = after if after is not None else before
    await audit.record(conn, entity_kind=API_KEY, entity_id=shown.key_id, action=action,
                       before=None if before is None else dict(before._mapping),
                       after=None if after is None else dict(after._mapping), who=who)
