"""Contracts refuse what the columns cannot hold, and name the field: no poison passes."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from affbill_contracts import Envelope, decode, encode, stat_rows, topics
from affbill_contracts.bounds import INT32_MAX, INT64_MAX, text_problem
from affbill_contracts.codec import UnknownEventType, UnsupportedSchemaVersion
from affbill_contracts.jobs import JobLogLine, JobProgress
from tests.unit.samples import stat_row


def stat_json(**payload: Any) -> dict[str, Any]:
    raw = json.loads(encode(Envelope.wrap(stat_row())))
    raw["payload"].update(payload)
    return raw


def as_bytes(raw: Any) -> bytes:
    return json.dumps(raw).encode()


def refused(raw: bytes, field: str) -> None:
    """Both readers refuse it: the fast path hands it on, the contract names the field."""
    assert stat_rows.read_fast(raw) is None
    with pytest.raises(ValueError, match=field):
        stat_rows.read(raw)


@pytest.mark.parametrize(("envelope", "field"), [
    ({"type": []}, "type"), ({"type": {"a": 1}}, "type"), ({"schema_version": None},
                                                          "schema_version"),
    ({"schema_version": "1"}, "schema_version"), ({"schema_version": True}, "schema_version"),
    ({"schema_version": 2**40}, "schema_version"), ({"payload": []}, "payload")])
def test_an_envelope_of_the_wrong_shape_is_a_value_error(envelope: dict, field: str) -> None:
    raw = as_bytes({**stat_json(), **envelope})
    with pytest.raises((UnknownEventType, UnsupportedSchemaVersion, ValueError), match=field):
        decode(raw)
    refused(raw, field)


def test_a_json_array_or_plain_bytes_are_value_errors() -> None:
    for raw in (b"[1, 2]", b"not json at all", b"\xff\xfe", b"", b"null"):
        with pytest.raises(ValueError):
            decode(raw)
        assert stat_rows.read_fast(raw) is None
        with pytest.raises(ValueError):
            stat_rows.read(raw)


@pytest.mark.parametrize(("payload", "field"), [
    ({"revenue": "1e30"}, "revenue"), ({"revenue": 1e30}, "revenue"),
    ({"revenue": "1" + "0" * 18}, "revenue"), ({"revenue": "0.00000000001"}, "revenue"),
    ({"payout": "1e30"}, "payout"), ({"revenue": "NaN"}, "revenue"),
    ({"conversions": 2**40}, "conversions"), ({"conversions": INT32_MAX + 1}, "conversions"),
    ({"offer_name": "Shop\x00CPS"}, "offer_name"), ({"advertiser_id": "5\x0001"}, "advertiser_id"),
    ({"offer_name": "Shop\u202eSPC"}, "offer_name"), ({"offer_name": "Shop\x85"}, "offer_name"),
    ({"stat_key": "a\x1bb"}, "stat_key"), ({"offer_name": "Shop\tCPS"}, "offer_name")])
def test_numbers_beyond_the_columns_and_control_characters_are_refused(payload: dict,
                                                                       field: str) -> None:
    refused(as_bytes(stat_json(**payload)), field)


def test_the_largest_values_the_columns_hold_pass_both_paths() -> None:
    raw = as_bytes(stat_json(revenue="999999999999999999.9999999999", conversions=INT32_MAX,
                             offer_name="Müller Shop"))
    fast = stat_rows.read_fast(raw)
    assert fast is not None and fast == stat_rows.read(raw)
    assert fast.revenue == Decimal("999999999999999999.9999999999")
    assert stat_rows.row_of(decode(raw).payload) == fast


def test_names_with_umlauts_pass_the_fast_path() -> None:
    raw = json.dumps(stat_json(offer_name="Müller Straße"), ensure_ascii=False).encode()
    assert stat_rows.read_fast(raw) is not None


def test_job_log_seq_is_bounded_by_bigint_and_text_scrubbed_of_c1_and_bidi() -> None:
    with pytest.raises(ValidationError, match="seq"):
        JobLogLine(service="billing", seq=INT64_MAX + 1, level="info", text="x")
    assert JobLogLine(service="billing", seq=INT64_MAX, level="info", text="x").seq == INT64_MAX
    line = JobLogLine(service="billing", seq=1, level="info",
                      text="Document\u202e 1 created for Acme\x9b GmbH\n")
    assert line.text == "Document 1 created for Acme GmbH\n"
    with pytest.raises(ValidationError, match="NUL"):
        JobLogLine(service="billing", seq=1, level="info", text="a\x00b")
    with pytest.raises(ValidationError, match="done"):
        JobProgress(service="billing", seq=1, step="s", done=2**40)


def test_every_string_in_every_contract_refuses_nul() -> None:
    envelope = json.loads(encode(Envelope.wrap(stat_row(), job_id=uuid.uuid4())))
    envelope["type"] = "adtracker.stat_row.synced\x00"
    with pytest.raises(ValueError):
        decode(as_bytes(envelope))
    assert text_problem("tab\tand\nnewline") is None
    assert text_problem("tab\tin a name", name=True) is not None


def test_every_consumed_topic_has_a_dead_letter_topic_in_the_layout() -> None:
    names = {t.name for t in topics.TOPICS}
    assert all(topics.dead_letters(t) in names for t in topics.CONSUMED)
    assert topics.dead_letters(topics.ADTRACKER_STATS) == topics.ADTRACKER_STATS + ".dlq"


def test_tests_run_on_topics_of_their_own() -> None:
    assert topics.PREFIX.startswith("test-")
    assert all(t.name.startswith(topics.PREFIX) for t in topics.TOPICS)


def test_text_rules_skip_only_fields_that_cannot_hold_text() -> None:
    """The text rules run for every field that may hold a string, however deep; amounts,
    ids, dates, enums and nested models (which check their own fields) are skipped."""
    import datetime as dt
    import uuid
    from typing import Literal

    import pydantic

    from affbill_contracts.base import Contract, _text_free_fields

    class Sample(Contract):
        amount: Decimal
        ids: list[uuid.UUID]
        day: dt.date | None = None
        kind: Literal["a", "b"] = "a"
        names: list[str] = []
        extra: dict[str, Any] = {}
        mixed: list[int | str] = []

    assert _text_free_fields(Sample) == {"amount", "ids", "day", "kind"}
    base = {"amount": "1", "ids": [str(uuid.uuid4())]}
    for field, value in (("names", ["ok", "x\x00y"]), ("extra", {"k": ["x\x01"]}),
                         ("mixed", [1, "x\x00"])):
        with pytest.raises(pydantic.ValidationError, match=field):
            Sample.model_validate({**base, field: value})
