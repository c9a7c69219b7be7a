"""Engine per service schema, and the unit of work handlers own their transaction with."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from affbill_contracts.envelope import Envelope
from affbill_runtime.outbox import Outbox
from affbill_runtime.postgres_tls import engine_url


def create_engine(database_url: str, schema: str, *, pool_size: int = 10, app: str = "affbill"
                  ) -> AsyncEngine:
    """An engine whose connections see the service's own schema first (over TLS when the
    URL asks for it: ``sslmode=verify-full``, see postgres_tls)."""
    url, tls = engine_url(database_url)
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        connect_args={"server_settings": {"search_path": schema, "application_name": app},
                      **tls},
    )


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


class UnitOfWork:
    """One transaction: state changes and the events they cause commit together.

    ``async with uow: ...; await uow.commit()`` — leaving without commit rolls back.
    Events added with :meth:`publish` go to the outbox table in the same transaction.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession],
                 on_commit: Callable[[], None] | None = None) -> None:
        self._sessions = sessions
        self._on_commit = on_commit
        self.session: AsyncSession

    async def __aenter__(self) -> Self:
        self.session = self._sessions()
        self.outbox = Outbox(self.session)
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        try:
            await self.session.rollback()
        finally:
            await self.session.close()

    def publish(self, topic: str, key: str | None, envelope: Envelope[Any]) -> None:
        self.outbox.add(topic, key, envelope)

    async def driver_connection(self) -> Any:
        """The asyncpg connection of this unit of work, its transaction begun (SQLAlchemy
        begins it lazily, at its own first statement; raw statements alone would autocommit).
        For set-based work SQLAlchemy has no word for: COPY, arrays, temporary tables."""
        connection = await self.session.connection()
        await connection.exec_driver_sql("select 1")
        return (await connection.get_raw_connection()).driver_connection

    async def autocommit_connection(self) -> Any:
        """The asyncpg connection of this unit of work *without* a transaction: each
        statement commits on its own. For work done in single statements that publish
        nothing (the outbox needs the unit of work's transaction)."""
        connection = await self.session.connection(
            execution_options={"isolation_level": "AUTOCOMMIT"})
        return (await connection.get_raw_connection()).driver_connection

    async def commit(self) -> None:
        await self.outbox.flush()
        await self.session.commit()
        if self._on_commit and self.outbox.added:
            self._on_commit()  # wake the relay: something is waiting to be sent

    async def rollback(self) -> None:
        await self.session.rollback()
