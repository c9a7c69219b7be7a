"""Wire contracts: round trips, producer strictness, consumer leniency, documentation."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from typing import Any, get_args

import pytest
from pydantic import BaseModel, ValidationError

from affbill_contracts import (
    EVENT_TYPES,
    Envelope,
    InvoiceIssued,
    JobLogLine,
    ProcessSelected,
    StartSync,
    StatRowSynced,
    decode,
    encode,
)
from affbill_contracts.base import Contract
from affbill_contracts.codec import UnknownEventType, UnsupportedSchemaVersion
from affbill_contracts.money import MINOR_UNITS, minor_unit, quantum
from tests.unit.samples import SAMPLES, invoice_document, stat_row


def all_contract_models() -> set[type[BaseModel]]:
    seen: set[type[BaseModel]] = set()

    def visit(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.add(model)
        for field in model.model_fields.values():
            for arg in _flatten(field.annotation):
                if isinstance(arg, type) and issubclass(arg, Contract):
                    visit(arg)

    for cls in EVENT_TYPES.values():
        visit(cls)
    visit(Envelope[StatRowSynced])
    return seen


def _flatten(annotation: Any) -> list[Any]:
    args = get_args(annotation)
    if not args:
        return [annotation]
    return [a for arg in args for a in _flatten(arg)]


def test_every_event_type_has_a_sample() -> None:
    assert set(SAMPLES) == set(EVENT_TYPES)


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_round_trip_through_bytes(event_type: str) -> None:
    envelope = Envelope.wrap(SAMPLES[event_type], job_id=uuid.uuid4())
    decoded = decode(encode(envelope))
    assert decoded == envelope
    assert decoded.type == event_type
    assert type(decoded.payload) is EVENT_TYPES[event_type]


@pytest.mark.parametrize("model", sorted(all_contract_models(), key=lambda m: m.__name__),
                         ids=lambda m: m.__name__)
def test_every_field_is_documented_with_examples(model: type[BaseModel]) -> None:
    for name, field in model.model_fields.items():
        if name == "payload":
            continue
        assert field.description, f"{model.__name__}.{name} has no description"
        is_model = any(isinstance(a, type) and issubclass(a, BaseModel)
                       for a in _flatten(field.annotation))
        assert field.examples or is_model, f"{model.__name__}.{name} has no examples"


def test_producer_refuses_unknown_field() -> None:
    data = stat_row().model_dump()
    with pytest.raises(ValidationError, match="bogus"):
        StatRowSynced(**data, bogus=1)


def test_producer_refuses_unknown_nested_field() -> None:
    doc = invoice_document().model_dump()
    doc["buyer"]["nickname"] = "Acme"
    with pytest.raises(ValidationError, match="nickname"):
        InvoiceIssued(document=doc, issued_by="anna")


def test_consumer_ignores_unknown_fields_at_every_level() -> None:
    envelope = Envelope.wrap(InvoiceIssued(document=invoice_document(), issued_by="anna"))
    raw = json.loads(encode(envelope))
    raw["trace_id"] = "abc"
    raw["payload"]["channel"] = "email"
    raw["payload"]["document"]["buyer"]["nickname"] = "Acme"
    decoded = decode(json.dumps(raw).encode())
    assert decoded == envelope


def test_amounts_travel_as_exact_strings() -> None:
    row = stat_row(revenue=Decimal("1234.56789"))
    raw = json.loads(encode(Envelope.wrap(row)))
    assert raw["payload"]["revenue"] == "1234.56789"
    assert decode(json.dumps(raw)).payload.revenue == Decimal("1234.56789")


def test_float_money_never_sneaks_in() -> None:
    assert isinstance(stat_row(revenue="0.1").revenue, Decimal)


def test_unknown_currency_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError) as err:
        stat_row(currency="EURO")
    assert err.value.errors()[0]["loc"] == ("currency",)
    with pytest.raises(ValidationError, match="unknown currency 'XYZ'"):
        stat_row(currency="XYZ")


def test_minor_units() -> None:
    assert (minor_unit("EUR"), minor_unit("JPY"), minor_unit("KWD")) == (2, 0, 3)
    assert quantum("EUR") == Decimal("0.01") and quantum("JPY") == Decimal("1")
    assert len(MINOR_UNITS) > 150


def test_occurred_at_is_normalised_to_utc_and_must_be_aware() -> None:
    cet = dt.timezone(dt.timedelta(hours=1))
    env = Envelope.wrap(stat_row(), occurred_at=dt.datetime(2026, 1, 1, 13, 0, tzinfo=cet))
    assert env.occurred_at == dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
    with pytest.raises(ValidationError):
        Envelope.wrap(stat_row(), occurred_at=dt.datetime(2026, 1, 1, 13, 0))


def test_sync_window_must_be_ordered() -> None:
    with pytest.raises(ValidationError, match="date_from must not be after date_to"):
        StartSync(connector="ho", scope="partial", requested_by="anna",
                  date_from=dt.date(2026, 2, 1), date_to=dt.date(2026, 1, 1))


def test_a_run_selects_something() -> None:
    with pytest.raises(ValidationError, match="select at least one customer or item"):
        ProcessSelected(run_id=uuid.uuid4(), requested_by="anna")


def test_unknown_event_type_is_named() -> None:
    raw = json.loads(encode(Envelope.wrap(stat_row())))
    raw["type"] = "adtracker.stat_row.deleted"
    with pytest.raises(UnknownEventType, match="adtracker.stat_row.deleted"):
        decode(raw)


def test_newer_schema_version_is_refused_clearly() -> None:
    raw = json.loads(encode(Envelope.wrap(JobLogLine(service="s", seq=1, level="info", text="x"))))
    raw["schema_version"] = 7
    with pytest.raises(UnsupportedSchemaVersion, match="upgrade the consumer"):
        decode(raw)


def test_decode_as_is_decode_for_every_type_and_falls_back() -> None:
    from affbill_contracts.codec import decode_as

    for event_type, payload in SAMPLES.items():
        raw = encode(Envelope.wrap(payload))
        assert decode_as(type(payload), raw) == decode(raw)
        other = next(cls for t, cls in EVENT_TYPES.items() if t != event_type)
        assert decode_as(other, raw) == decode(raw)  # another type: the general path
    raw = json.loads(encode(Envelope.wrap(stat_row())))
    raw["schema_version"] = 9
    with pytest.raises(UnsupportedSchemaVersion):
        decode_as(StatRowSynced, json.dumps(raw))


def test_a_version_1_run_command_is_read_as_the_same_selection() -> None:
    raw = json.loads(encode(Envelope.wrap(ProcessSelected(
        run_id=uuid.uuid4(), customer_ids=["ho:advertiser:1"], requested_by="anna"))))
    raw["schema_version"] = 1
    for field in ("all_customers", "currency", "customer_kind", "account_manager_id",
                  "period_start", "invoice_date_rule", "due_date_basis"):
        del raw["payload"][field]
    run = decode(raw)
    assert run.schema_version == ProcessSelected.SCHEMA_VERSION == 3
    assert run.payload.customer_ids == ["ho:advertiser:1"] and not run.payload.all_customers


def test_a_version_2_run_command_keeps_its_last_day() -> None:
    raw = json.loads(encode(Envelope.wrap(ProcessSelected(
        run_id=uuid.uuid4(), all_customers=True, period_end=dt.date(2026, 10, 31),
        requested_by="anna"))))
    raw["schema_version"] = 2
    for field in ("period_start", "invoice_date_rule", "due_date_basis"):
        del raw["payload"][field]
    run = decode(raw).payload
    assert (run.period_start, run.period_end) == (None, dt.date(2026, 10, 31))
    assert run.all_customers and run.invoice_date_rule is None


def test_a_run_period_is_whole() -> None:
    with pytest.raises(ValidationError, match="period_start needs period_end"):
        ProcessSelected(run_id=uuid.uuid4(), all_customers=True,
                        period_start=dt.date(2026, 10, 1), requested_by="anna")
    with pytest.raises(ValidationError, match="period_end is before period_start"):
        ProcessSelected(run_id=uuid.uuid4(), all_customers=True, requested_by="anna",
                        period_start=dt.date(2026, 10, 2), period_end=dt.date(2026, 10, 1))


def test_select_all_is_not_combined_with_named_customers() -> None:
    with pytest.raises(ValidationError, match="all_customers cannot be combined"):
        ProcessSelected(run_id=uuid.uuid4(), all_customers=True, customer_ids=["c"],
                        requested_by="anna")
    run = ProcessSelected(run_id=uuid.uuid4(), all_customers=True, currency="EUR",
                          customer_kind="affiliate", requested_by="anna")
    assert run.customer_ids == [] and run.currency == "EUR"
