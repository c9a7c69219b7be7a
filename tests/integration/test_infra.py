"""Topics and migrations on the real broker and database."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from sqlalchemy import text

from affbill_contracts import topics
from affbill_contracts.topics import TopicSpec
from affbill_runtime.db import create_engine
from affbill_runtime.messaging import MissingTopics, ensure_topics, require_topics
from affbill_runtime.migrations import current_revision, head_revision, upgrade
from affbill_runtime.topic_layout import TopicLayout

pytestmark = pytest.mark.integration
SERVICES = ("sync", "billing", "documents", "jobs", "gateway")


async def test_topics_exist_with_partitions_and_compaction(kafka_bootstrap: str) -> None:
    await ensure_topics(kafka_bootstrap)
    assert await ensure_topics(kafka_bootstrap) == []  # a second call creates nothing
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics([s.name for s in topics.TOPICS])
        partitions = {t["topic"]: len(t["partitions"]) for t in described}
        for spec in topics.TOPICS:
            assert partitions[spec.name] >= spec.partitions
        configs = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, topics.ADTRACKER_ADVERTISERS),
             ConfigResource(ConfigResourceType.TOPIC, topics.ADTRACKER_STATS)])
        policy = {r[3]: {e[0]: e[1] for e in r[4]}["cleanup.policy"]
                  for c in configs for r in c.resources}
        assert policy[topics.ADTRACKER_ADVERTISERS] == "compact"
        assert policy[topics.ADTRACKER_STATS] == "delete"
    finally:
        await admin.close()


@pytest.mark.parametrize("service", SERVICES)
async def test_migrations_are_idempotent_and_reach_head(service: str, database_url: str) -> None:
    schema = f"m_{service}_{uuid.uuid4().hex[:6]}"
    package = f"affbill_{service}"
    await asyncio.to_thread(upgrade, package, database_url, schema)
    await asyncio.to_thread(upgrade, package, database_url, schema)  # nothing to do twice
    engine = create_engine(database_url, schema)
    try:
        assert await current_revision(engine, schema) == head_revision(package)
        async with engine.connect() as conn:
            tables = set((await conn.execute(text(
                "select table_name from information_schema.tables where table_schema = :s"),
                {"s": schema})).scalars())
        assert {"outbox", "inbox", "alembic_version"} <= tables
    finally:
        await engine.dispose()


async def test_replicas_migrating_at_once_do_not_collide(database_url: str) -> None:
    """Three replicas start together: the advisory lock lets one migrate, the others wait."""
    schema = f"m_race_{uuid.uuid4().hex[:6]}"
    env = {**os.environ, "DATABASE_URL": database_url, "AFFBILL_SYNC_SERVICE_NAME": schema}
    procs = [await asyncio.create_subprocess_exec(
        str(Path(sys.executable).with_name("affbill-sync")), "migrate", env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE) for _ in range(3)]
    for proc in procs:
        _, err = await proc.communicate()
        assert proc.returncode == 0, err.decode()[-2000:]
    engine = create_engine(database_url, schema)
    try:
        assert await current_revision(engine, schema) == head_revision("affbill_sync")
    finally:
        await engine.dispose()


async def test_topics_get_the_configured_layout(kafka_bootstrap: str) -> None:
    specs = [TopicSpec(f"test.layout.{uuid.uuid4().hex[:8]}", 2),
             TopicSpec(f"test.layout.{uuid.uuid4().hex[:8]}", 1, compacted=True)]
    layout = TopicLayout(replication_factor=1, min_insync_replicas=1, retention_ms=3_600_000)
    assert await ensure_topics(kafka_bootstrap, specs, layout) == [s.name for s in specs]
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        configs = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, s.name) for s in specs])
        found = {r[3]: {e[0]: e[1] for e in r[4]} for c in configs for r in c.resources}
    finally:
        await admin.close()
    deleted, compacted = (found[s.name] for s in specs)
    assert (deleted["retention.ms"], deleted["min.insync.replicas"]) == ("3600000", "1")
    assert compacted["cleanup.policy"] == "compact" and compacted["retention.ms"] != "3600000"


async def test_without_topic_creation_a_missing_topic_is_named_and_nothing_created(
        kafka_bootstrap: str) -> None:
    missing = TopicSpec(f"test.unmanaged.{uuid.uuid4().hex[:8]}", 1)
    await require_topics(kafka_bootstrap, topics.TOPICS[:2])  # there: nothing to say
    with pytest.raises(MissingTopics, match=missing.name) as refused:
        await require_topics(kafka_bootstrap, [*topics.TOPICS[:2], missing])
    assert refused.value.names == [missing.name]
    assert "AFFBILL_KAFKA_CREATE_TOPICS" in str(refused.value)
    with pytest.raises(MissingTopics):  # still missing: checking created nothing
        await require_topics(kafka_bootstrap, [missing])
