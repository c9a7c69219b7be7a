"""Small runtime pieces that need no infrastructure."""

from __future__ import annotations

import json
import logging

import pytest
from aiokafka import errors as kafka_errors

from affbill_runtime.jobs import next_seq
from affbill_runtime.logs import JsonFormatter
from affbill_runtime.refusals import refusal
from affbill_runtime.settings import ServiceSettings, asyncpg_url


@pytest.mark.parametrize("url", ["postgresql://u:p@h:1/d", "postgres://u:p@h:1/d",
                                 "postgresql+asyncpg://u:p@h:1/d"])
def test_database_urls_are_normalised_to_asyncpg(url: str) -> None:
    assert asyncpg_url(url) == "postgresql+asyncpg://u:p@h:1/d"


def test_a_non_postgres_url_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match="DATABASE_URL must be a postgresql:// URL"):
        asyncpg_url("mysql://u:p@h/d")


def test_settings_read_the_shared_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "k:1")
    monkeypatch.setenv("DATABASE_URL", "postgresql://a:b@c/d")
    s = ServiceSettings()
    assert s.kafka_bootstrap_servers == "k:1"
    assert s.async_database_url == "postgresql+asyncpg://a:b@c/d"


def test_job_event_sequence_is_strictly_increasing() -> None:
    seqs = [next_seq() for _ in range(1000)]
    assert seqs == sorted(set(seqs))


def test_logs_are_one_json_object_per_line() -> None:
    record = logging.LogRecord("affbill.x", logging.INFO, __file__, 1, "hello %s", ("you",), None)
    record.job_id = "j-1"
    line = JsonFormatter("billing").format(record)
    entry = json.loads(line)
    assert entry["msg"] == "hello you" and entry["service"] == "billing"
    assert entry["level"] == "info" and entry["job_id"] == "j-1"


class _Cluster:
    def __init__(self, topics: set[str]) -> None:
        self._topics = topics

    def topics(self) -> set[str]:
        return self._topics


class _Client:
    def __init__(self, reachable: bool, topics: set[str]) -> None:
        self.reachable, self.cluster = reachable, _Cluster(topics)

    async def force_metadata_update(self) -> bool:
        return self.reachable


class _Producer:
    def __init__(self, reachable: bool = True, topics: set[str] = frozenset()) -> None:
        self.client = _Client(reachable, set(topics))


@pytest.mark.parametrize("error", [
    kafka_errors.MessageSizeTooLargeError("The message is 11534336 bytes"),
    kafka_errors.TopicAuthorizationFailedError("x"),
    kafka_errors.InvalidTopicError("x"),
    TypeError("value must be bytes"),
])
async def test_the_relay_sets_aside_what_kafka_refuses_for_good(error: Exception) -> None:
    assert type(error).__name__ in await refusal(_Producer(), error, "jobs.events")


@pytest.mark.parametrize("error", [
    kafka_errors.KafkaTimeoutError(), kafka_errors.KafkaConnectionError(),
    kafka_errors.NotLeaderForPartitionError(), kafka_errors.ProducerClosed(),
    kafka_errors.RequestTimedOutError(),
])
async def test_the_relay_keeps_rows_waiting_on_errors_that_may_pass(error: Exception) -> None:
    with pytest.raises(type(error)):
        await refusal(_Producer(), error, "jobs.events")


async def test_an_unknown_topic_is_refused_only_when_the_broker_answers_without_it() -> None:
    unknown = kafka_errors.UnknownTopicOrPartitionError()
    assert "does not exist" in await refusal(_Producer(True, {"other"}), unknown, "no.such")
    with pytest.raises(kafka_errors.UnknownTopicOrPartitionError):
        await refusal(_Producer(False), unknown, "no.such")
