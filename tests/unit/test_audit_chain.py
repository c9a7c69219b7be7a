"""The audit trail's hash chain (affbill_runtime.audit) and who acts (affbill_runtime.acting),
without a database: entries chain, and any change to one after the fact is found."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from enum import StrEnum

import pytest
from hypothesis import given
from hypothesis import strategies as st

from affbill_runtime.acting import SYSTEM, Actor, acting_as, actor, actor_from_headers
from affbill_runtime.audit import GENESIS, canonical, chain_hash, jsonable, verify
from affbill_runtime.audit_http import AuditFilter

T0 = dt.datetime(2026, 12, 1, 22, 0, tzinfo=dt.UTC)


def chain(n: int) -> list[dict]:
    rows, prev = [], GENESIS
    for seq in range(1, n + 1):
        entry = {"seq": seq, "at": T0 + dt.timedelta(seconds=seq), "actor": "anna",
                 "actor_role": "accountant", "entity_kind": "draft", "entity_id": f"d{seq}",
                 "action": "edit_lines", "before": {"version": seq, "net": "10.00"},
                 "after": {"version": seq + 1, "net": "12.50"}, "request_id": f"r{seq}"}
        entry |= {"prev_hash": prev, "hash": chain_hash(prev, entry)}
        rows.append(entry)
        prev = entry["hash"]
    return rows


def test_an_untouched_chain_is_intact() -> None:
    status = verify(chain(5))
    assert status.intact and status.entries == 5 and status.last_seq == 5
    assert status.broken_at is None and status.last_hash == chain(5)[-1]["hash"]


def test_an_empty_trail_is_intact() -> None:
    assert verify([]).intact and verify([]).last_hash == GENESIS


@pytest.mark.parametrize("field,value", [
    ("after", {"version": 4, "net": "0.01"}), ("before", None), ("actor", "mallory"),
    ("actor_role", "admin"), ("action", "approve"), ("entity_id", "other"),
    ("at", T0), ("request_id", None)])
def test_changing_any_field_of_an_entry_breaks_the_chain_there(field: str, value: object) -> None:
    rows = chain(5)
    rows[2][field] = value
    status = verify(rows)
    assert not status.intact and status.broken_at == 3 and status.last_seq == 2
    assert status.problem == "hash does not match the entry's content"
    assert status.entries == 5


def test_a_rehashed_entry_breaks_the_chain_at_the_next_one() -> None:
    rows = chain(5)
    rows[2]["after"] = {"version": 4, "net": "0.01"}
    rows[2]["hash"] = chain_hash(rows[2]["prev_hash"], rows[2])
    status = verify(rows)
    assert status.broken_at == 4
    assert status.problem == "prev_hash is not the hash of the entry before"


def test_a_removed_entry_is_found() -> None:
    rows = chain(5)
    del rows[1]
    status = verify(rows)
    assert status.broken_at == 3 and status.problem == "entry 2 is missing (next is 3)"


def test_an_entry_inserted_with_a_made_up_hash_is_found() -> None:
    rows = chain(3)
    forged = dict(rows[-1], seq=4, prev_hash=rows[-1]["hash"], hash="f" * 64, action="issue")
    status = verify([*rows, forged])
    assert status.broken_at == 4 and not status.intact


def test_canonical_json_ignores_key_order_and_time_zone() -> None:
    entry = chain(1)[0]
    shuffled = dict(reversed(list(entry.items())))
    shuffled["at"] = entry["at"].astimezone(dt.timezone(dt.timedelta(hours=1)))
    shuffled["after"] = dict(reversed(list(entry["after"].items())))
    assert canonical(shuffled) == canonical(entry)
    assert canonical({**entry, "at": entry["at"].isoformat()}) == canonical(entry)


class Colour(StrEnum):
    RED = "red"


def test_jsonable_keeps_amounts_exact_and_names_ids() -> None:
    value = {"net": Decimal("12.50"), "rate": 0.1, "big": 1e30, "day": dt.date(2026, 1, 2),
             "id": uuid.UUID(int=1), "colour": Colour.RED, "ok": True, "n": 3, "tags": {"b", "a"},
             1: (None,)}
    assert jsonable(value) == {
        "net": "12.50", "rate": "0.1", "big": "1e+30", "day": "2026-01-02",
        "id": "00000000-0000-0000-0000-000000000001", "colour": "red", "ok": True, "n": 3,
        "tags": ["a", "b"], "1": [None]}
    with pytest.raises(TypeError):
        jsonable(object())


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text() | st.decimals(allow_nan=False)
    | st.floats(allow_nan=False) | st.dates(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner,
                                                                 max_size=4), max_leaves=12)


@given(JSON)
def test_jsonable_values_read_back_the_same(value: object) -> None:
    """What JSONB gives back (parsed JSON) hashes like what was written."""
    written = jsonable(value)
    assert json.loads(json.dumps(written)) == written


def test_actor_from_the_gateway_headers() -> None:
    scope = {"type": "http", "headers": [(b"x-affbill-user", b"anna@network.example"),
                                         (b"x-affbill-role", b"accountant"),
                                         (b"x-request-id", b"req-1")]}
    assert actor_from_headers(scope) == Actor("anna@network.example", "accountant", "req-1")
    assert actor_from_headers({"type": "http", "headers": []}) is None
    assert actor_from_headers({"type": "http", "headers": [(b"x-affbill-user", b"a\x1bb")]}) is None


def test_actor_prefers_the_request_and_keeps_a_commands_requester() -> None:
    assert actor() == SYSTEM and actor("ben") == Actor("ben")
    with acting_as(Actor("anna", "admin", "r1")):
        assert actor() == Actor("anna", "admin", "r1")
        assert actor("anna") == Actor("anna", "admin", "r1")
        assert actor("ben") == Actor("ben", None, "r1")  # acting for a command's requester
    assert actor() == SYSTEM


def test_filters_name_only_what_is_given() -> None:
    assert AuditFilter().where() == []
    where = AuditFilter(entity_kind="draft", until=dt.datetime(2026, 12, 1)).where()
    assert [str(w.compile(compile_kwargs={"literal_binds": True})) for w in where] == [
        "audit_log.entity_kind = 'draft'", "audit_log.at < '2026-12-01 00:00:00+00:00'"]
