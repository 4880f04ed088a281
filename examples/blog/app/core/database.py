from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request
from sqlalchemy import event, text
from sqlalchemy.engine.interfaces import AdaptedConnection
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.pool import NullPool

from app.core.config import get_settings

settings = get_settings()
engine = create_async_engine(
    settings.database_url,
    pool_size=settings.db_pool_size,
    max_overflow=settings.db_max_overflow,
    # Errors (and the logs they reach) leave out the bound values: emails, password hashes.
    hide_parameters=settings.environment != "development",
)
# Readiness probes connect on their own: behind a busy pool a probe would call a healthy
# database down exactly when load is highest.
probe_engine = create_async_engine(settings.database_url, poolclass=NullPool)
# Objects stay usable after commit: responses are built from them without a reload.
async_session_factory = async_sessionmaker(engine, expire_on_commit=False)
READ_ONLY_METHODS = frozenset({"GET", "HEAD"})


class ReadOnlySessionError(RuntimeError):
    """A GET or HEAD request tried to write."""


class ReadOnlySession(Session):
    """The session of a GET or HEAD request, which refuses to write.

    It runs without a transaction (AUTOCOMMIT): a write would be committed on the spot and
    nothing could roll it back.
    """


READ_ONLY = (
    "a GET or HEAD request may not write: its session runs outside any transaction, "
    "so nothing could roll the write back; write in a POST, PUT, PATCH or DELETE route"
)


@event.listens_for(ReadOnlySession, "before_flush")
def refuse_flush(session: Session, _: UOWTransaction, __: object) -> None:
    if session.new or session.dirty or session.deleted:
        raise ReadOnlySessionError(READ_ONLY)


@event.listens_for(ReadOnlySession, "do_orm_execute")
def refuse_writing_statements(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        raise ReadOnlySessionError(READ_ONLY)


# Under PostgreSQL's READ COMMITTED every statement reads its own snapshot, in a transaction
# or not: requests that only read skip BEGIN and ROLLBACK, two round trips each. (The same
# engine and pool; each connection it lends is in AUTOCOMMIT until returned.)
read_session_factory = async_sessionmaker(
    engine.execution_options(isolation_level="AUTOCOMMIT"),
    expire_on_commit=False,
    sync_session_class=ReadOnlySession,
)


@event.listens_for(engine.sync_engine, "checkout")
def replace_closed_connection(dbapi_connection: AdaptedConnection, *_: Any) -> None:
    """Swap a pooled connection PostgreSQL has closed (a restart, an idle timeout) for a new one.

    Instead of `pool_pre_ping`, which costs three round trips on every checkout: the driver
    sees the closed socket without asking the server.
    """
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("PostgreSQL closed this connection")


async def get_async_session(request: Request) -> AsyncIterator[AsyncSession]:
    reads = request.method in READ_ONLY_METHODS
    async with (read_session_factory if reads else async_session_factory)() as session:
        yield session


def get_probe_engine() -> AsyncEngine:
    return probe_engine


async def check_connection(engine: AsyncEngine = engine) -> None:
    """Fail loudly if the database cannot be reached."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
