"""The audit trail: every change, who made it, when, and the state before and after.

Each entry is chained to the one before by its hash — SHA-256 over the previous entry's
hash and the entry's canonical JSON — so an entry edited, inserted or removed after the
fact breaks the chain and `verify` names where (GoBD: changes stay traceable, records
unalterable). `record` appends in the caller's transaction, so a change and its entry
commit together or not at all; appends to one schema's trail are serialized by a
transaction-scoped advisory lock, so the chain is one line. The table refuses UPDATE,
DELETE and TRUNCATE by trigger (migration_ops.create_audit_log_v1).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, MetaData, Table, Text, text
from sqlalchemy.dialects.postgresql import JSONB

from affbill_runtime.acting import Actor, actor

GENESIS = "0" * 64  # the "previous hash" of the first entry
LOCK_CLASS = 0x41554454  # "AUDT": two-key advisory locks never meet the one-key ones

AUDIT_LOG = Table(
    "audit_log", MetaData(),
    Column("seq", BigInteger, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", Text, nullable=False),
    Column("actor_role", Text),
    Column("entity_kind", Text, nullable=False),
    Column("entity_id", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("before", JSONB(none_as_null=True)),
    Column("after", JSONB(none_as_null=True)),
    Column("request_id", Text),
    Column("prev_hash", Text, nullable=False),
    Column("hash", Text, nullable=False),
)
HASHED = ("seq", "at", "actor", "actor_role", "entity_kind", "entity_id", "action", "before",
          "after", "request_id")


def jsonable(value: Any) -> Any:
    """A value as JSON that reads back from JSONB the same: amounts and floats as text (JSONB
    would turn 1e30 into an integer), dates ISO, ids and enums as their text."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable(dataclasses.asdict(value))
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, (dt.date, Decimal, float, uuid.UUID)):
        return str(value)
    raise TypeError(f"not recordable in the audit trail: {type(value).__name__}")


def _at(value: dt.datetime | str) -> str:
    if isinstance(value, str):  # as the API shows it
        value = dt.datetime.fromisoformat(value)
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def canonical(entry: Mapping[str, Any]) -> str:
    """The entry's hashed fields as canonical JSON: sorted keys, no spaces, UTF-8 as is."""
    fields = {k: entry.get(k) for k in HASHED}
    fields["at"] = _at(fields["at"])
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, entry: Mapping[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(entry)).encode()).hexdigest()


async def record(conn: Any, *, entity_kind: str, entity_id: Any, action: str,
                 before: Any = None, after: Any = None, who: Actor | None = None
                 ) -> dict[str, Any]:
    """Append one entry in the transaction of `conn` (an AsyncSession or AsyncConnection).

    Call it last, just before the commit: it holds the trail's lock until then.
    `who` defaults to the actor of the current request (acting.actor()).
    """
    who = who or actor()
    await conn.execute(text("select pg_advisory_xact_lock(:c, hashtext(current_schema()))"),
                       {"c": LOCK_CLASS})
    head = (await conn.execute(text(
        "select clock_timestamp() as now, h.seq, h.hash from (select 1) as one "
        "left join (select seq, hash from audit_log order by seq desc limit 1) as h on true"))
    ).one()
    entry = {"seq": (head.seq or 0) + 1, "at": head.now, "actor": who.name,
             "actor_role": who.role, "entity_kind": entity_kind, "entity_id": str(entity_id),
             "action": action, "before": jsonable(before), "after": jsonable(after),
             "request_id": who.request_id}
    prev = head.hash or GENESIS
    entry |= {"prev_hash": prev, "hash": chain_hash(prev, entry)}
    await conn.execute(AUDIT_LOG.insert().values(**entry))
    return entry


@dataclass
class ChainStatus:
    """What `verify` found: intact, or the first entry where the chain breaks and why."""

    intact: bool = True
    entries: int = 0
    last_seq: int = 0
    last_hash: str = GENESIS
    broken_at: int | None = None
    problem: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class Verifier:
    """Recomputes the chain entry by entry (in seq order), so a long trail can be paged."""

    def __init__(self) -> None:
        self.status = ChainStatus()

    def feed(self, row: Mapping[str, Any]) -> None:
        s = self.status
        s.entries += 1
        if not s.intact:
            return
        problem = None
        if row["seq"] != s.last_seq + 1:
            problem = f"entry {s.last_seq + 1} is missing (next is {row['seq']})"
        elif row["prev_hash"] != s.last_hash:
            problem = "prev_hash is not the hash of the entry before"
        elif row["hash"] != chain_hash(s.last_hash, row):
            problem = "hash does not match the entry's content"
        if problem:
            s.intact, s.broken_at, s.problem = False, row["seq"], problem
            return
        s.last_seq, s.last_hash = row["seq"], row["hash"]


def verify(rows: Iterable[Mapping[str, Any]]) -> ChainStatus:
    """The chain status of a whole trail, its entries in seq order from the first."""
    verifier = Verifier()
    for row in rows:
        verifier.feed(row)
    return verifier.status
