"""Alembic, one migration history per service schema, run before the service starts.

A service keeps its migrations in ``<package>/migrations`` whose env.py calls
:func:`run_env`. ``upgrade()`` is synchronous (it runs its own event loop), so
call it before the service's loop starts, or in a thread.
"""

from __future__ import annotations

import asyncio
from importlib import resources

from alembic import command, context
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from affbill_runtime.postgres_tls import engine_url
from affbill_runtime.settings import asyncpg_url


def alembic_config(package: str, database_url: str, schema: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files(package) / "migrations"))
    cfg.attributes["database_url"] = asyncpg_url(database_url)
    cfg.attributes["schema"] = schema
    return cfg


def upgrade(package: str, database_url: str, schema: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(package, database_url, schema), revision)


def head_revision(package: str) -> str | None:
    cfg = alembic_config(package, "postgresql://unused", "unused")
    return ScriptDirectory.from_config(cfg).get_current_head()


async def current_revision(engine: AsyncEngine, schema: str) -> str | None:
    async with engine.connect() as conn:
        exists = await conn.scalar(text("select to_regclass(:t)"),
                                   {"t": f"{schema}.alembic_version"})
        if exists is None:
            return None
        return await conn.scalar(text(f'select version_num from "{schema}".alembic_version'))


def run_env(target_metadata: MetaData) -> None:
    """The body of every service's migrations/env.py (online mode only)."""
    cfg = context.config
    schema = cfg.attributes["schema"]

    def migrate(connection: Connection) -> None:
        connection.execute(text(f'create schema if not exists "{schema}"'))
        connection.execute(text(f'set search_path to "{schema}"'))
        connection.commit()
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            version_table_schema=schema,
            transaction_per_migration=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def main() -> None:
        url, tls = engine_url(cfg.attributes["database_url"])
        engine = create_async_engine(url, poolclass=pool.NullPool, connect_args=tls)
        async with engine.connect() as conn:
            # one migrator per schema at a time (several replicas may start together)
            await conn.execute(text("select pg_advisory_lock(hashtext(:s))"),
                               {"s": f"affbill.migrate.{schema}"})
            await conn.run_sync(migrate)
            await conn.execute(text("select pg_advisory_unlock(hashtext(:s))"),
                               {"s": f"affbill.migrate.{schema}"})
            await conn.commit()
        await engine.dispose()

    asyncio.run(main())
