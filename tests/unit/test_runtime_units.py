"""Small runtime pieces that need no infrastructure."""

from __future__ import annotations

import json
import logging

import pytest

from affbill_runtime.jobs import next_seq
from affbill_runtime.logs import JsonFormatter
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
