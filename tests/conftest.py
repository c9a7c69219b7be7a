"""Infrastructure for the integration and e2e tests: a real Kafka broker and PostgreSQL.

They come from KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL when set (what `make test`
does after starting the local stack), else from testcontainers when a Docker
engine answers, else the test fails naming the script that starts them.
Unit tests (tests/unit) use none of this.

Every test session talks on topics of its own: ``AFFBILL_TOPIC_PREFIX`` is set here,
before any affbill module reads it, to a prefix unique to the session (and handed to
the services the e2e tests start, through their environment). The product's topics
never see test traffic, a running stack never reads it, and the session's topics are
deleted when it ends.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator

os.environ["AFFBILL_TOPIC_PREFIX"] = f"test-{uuid.uuid4().hex[:10]}."
TOPIC_PREFIX = os.environ["AFFBILL_TOPIC_PREFIX"]

import asyncpg  # noqa: E402 - the prefix must be set before affbill modules are imported
import pytest  # noqa: E402

from affbill_runtime.settings import asyncpg_url  # noqa: E402

START_HINT = "start them with `make infra` (deploy/local/up.sh) or export the variable"
# documents a test hands the documents service broken on purpose (to see them flagged)
DELIBERATELY_INVALID: set[uuid.UUID] = set()
INVALID_DOCUMENTS = """
select c.table_schema from information_schema.columns c
where c.table_name = 'documents' and c.column_name = 'valid'"""


@pytest.fixture
def expect_invalid_document() -> Callable[[uuid.UUID], None]:
    """Register a document the test breaks on purpose: the session-end check allows it."""
    return DELIBERATELY_INVALID.add


async def invalid_documents(url: str) -> list[str]:
    """Every document stored with valid = false in any schema of the test database,
    except those a test broke on purpose."""
    conn = await asyncpg.connect(url)
    try:
        found = []
        for schema in [r[0] for r in await conn.fetch(INVALID_DOCUMENTS)]:
            rows = await conn.fetch(f'select invoice_id, number, failed_rules from "{schema}"'
                                    ".documents where not valid")
            found += [f"{schema}: {r['number']} {list(r['failed_rules'])}" for r in rows
                      if r["invoice_id"] not in DELIBERATELY_INVALID]
        return found
    finally:
        await conn.close()


def _docker_answers() -> bool:
    try:
        import docker  # type: ignore[import-untyped]

        docker.from_env(timeout=3).ping()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    if url := os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        yield url
        asyncio.run(_delete_session_topics(url))
        return
    if not _docker_answers():
        pytest.fail("no Kafka: KAFKA_BOOTSTRAP_SERVERS is not set and no Docker engine; "
                    f"{START_HINT}")
    from testcontainers.kafka import KafkaContainer

    with KafkaContainer().with_kraft() as kafka:
        yield kafka.get_bootstrap_server()


async def _delete_session_topics(bootstrap: str) -> None:
    """The topics this session made (its prefix) go when it ends; best effort."""
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="affbill-tests")
    try:
        await admin.start()
        mine = [t for t in await admin.list_topics() if t.startswith(TOPIC_PREFIX)]
        if mine:
            await admin.delete_topics(mine)
    except Exception:  # a broker that went away leaves them; the prefix keeps them apart
        pass
    finally:
        await admin.close()


@pytest.fixture(scope="session")
def server_database_url() -> Iterator[str]:
    if url := os.environ.get("DATABASE_URL"):
        yield url
        return
    if not _docker_answers():
        pytest.fail(f"no PostgreSQL: DATABASE_URL is not set and no Docker engine; {START_HINT}")
    from testcontainers.postgres import PostgresContainer

    with PostgresContainer("postgres:16-alpine") as pg:
        yield pg.get_connection_url(driver=None)


def _plain(url: str) -> str:
    return asyncpg_url(url).replace("postgresql+asyncpg://", "postgresql://")


@pytest.fixture(scope="session")
def database_url(server_database_url: str) -> Iterator[str]:
    """A fresh database for this test session on the given server, dropped afterwards."""
    name = f"affbill_test_{uuid.uuid4().hex[:8]}"
    base = _plain(server_database_url)

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(base)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'create database "{name}"'))
    url = base.rsplit("/", 1)[0] + "/" + name
    yield url
    try:  # the suite-wide check: no test issued a document the documents service found invalid
        invalid = asyncio.run(invalid_documents(url))
    finally:
        asyncio.run(admin(f'drop database if exists "{name}" with (force)'))
    if invalid:
        pytest.fail("documents issued by tests failed validation (documents.valid = false): "
                    + "; ".join(invalid[:20]), pytrace=False)


@pytest.fixture
def schema() -> str:
    return f"t_{uuid.uuid4().hex[:10]}"


@pytest.fixture
async def pg(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(database_url)
    yield conn
    await conn.close()
