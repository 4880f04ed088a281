import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from fastapi import Request
from httpx import ASGITransport, AsyncClient
from sqlalchemy import event, select, text
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    create_async_engine,
)
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from app.api.deps import get_rate_limiter
from app.core.config import get_settings
from app.core.database import READ_ONLY_METHODS, ReadOnlySession, get_async_session
from app.core.security import create_access_token, hash_password
from app.main import app
from app.models import Base, User

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "correct-horse-battery"
ADMIN_EMAIL = "admin@example.com"
# The run's admin (see `admin`): helpers act as it where the access rules require an admin.
ADMIN_HEADERS: dict[str, str] = {}
# Rows the test helpers created while building one payload, by (URL, index, token): where two
# references lead to the same table, its row is made once and shared (a unique value could not
# be inserted twice).
Made = dict[tuple[str, int, str], dict[str, Any]]


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing() -> Iterator[None]:
    # Production cost makes each hash take ~0.2 s; the tests only need valid hashes.
    settings = get_settings()
    rounds = settings.bcrypt_rounds
    settings.bcrypt_rounds = 4
    yield
    settings.bcrypt_rounds = rounds


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> None:
    # Every test starts with the whole login and sign-up budget.
    get_rate_limiter().reset()


@pytest.fixture(scope="session", autouse=True)
def migrated_database() -> None:
    command.upgrade(Config(PROJECT_ROOT / "alembic.ini"), "head")


@pytest.fixture(scope="session")
async def engine() -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(get_settings().database_url, poolclass=NullPool)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session", autouse=True)
async def admin(engine: AsyncEngine, migrated_database: None) -> User:
    """One admin for the whole run, committed once (each test's own writes are rolled back)."""
    async with AsyncSession(engine, expire_on_commit=False) as session:
        admin = await session.scalar(select(User).where(User.email == ADMIN_EMAIL))
        if admin is None:
            admin = User(
                email=ADMIN_EMAIL,
                hashed_password=await hash_password(PASSWORD),
                is_superuser=True,
            )
            session.add(admin)
            await session.commit()
    ADMIN_HEADERS.update(bearer(admin))
    return admin


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """The test's connection, in a transaction rolled back after the test: every test starts
    from the same empty database whatever it wrote."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        try:
            yield connection
        finally:
            await transaction.rollback()


def session_on(
    connection: AsyncConnection, session_class: type[Session] = Session
) -> AsyncSession:
    """A session in the test's transaction: its commits release a savepoint, and closing it
    without a commit rolls its writes back, as closing a session does in production."""
    return AsyncSession(
        bind=connection,
        join_transaction_mode="create_savepoint",
        expire_on_commit=False,
        sync_session_class=session_class,
    )


@pytest.fixture
async def db(connection: AsyncConnection) -> AsyncIterator[AsyncSession]:
    """The test's own session, for arranging rows and looking at them."""
    async with session_on(connection) as session:
        yield session


def request_sessions(
    connection: AsyncConnection,
) -> Callable[[Request], AsyncIterator[AsyncSession]]:
    """The override of `get_async_session`: each request gets a session of its own, as in
    production (GET and HEAD a read-only one), so a write the app did not commit is gone
    when its request ends."""

    async def request_session(request: Request) -> AsyncIterator[AsyncSession]:
        reads = request.method in READ_ONLY_METHODS
        async with session_on(
            connection, ReadOnlySession if reads else Session
        ) as session:
            yield session

    return request_session


@pytest.fixture
async def client(connection: AsyncConnection) -> AsyncIterator[AsyncClient]:
    app.dependency_overrides[get_async_session] = request_sessions(connection)
    transport = ASGITransport(app=app)
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        yield client
    app.dependency_overrides.clear()


@pytest.fixture
async def committed_client(engine: AsyncEngine) -> AsyncIterator[AsyncClient]:
    """A client whose requests run exactly as in production: each in a session and on a
    connection of its own, committed for real, so requests sent together really race.
    Everything they wrote is deleted afterwards (the run's admin stays)."""
    await delete_committed_rows(engine)  # left by a run that was stopped half way
    transport = ASGITransport(app=app)
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        yield client
    await delete_committed_rows(engine)


async def delete_committed_rows(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            statement = table.delete()
            if table is User.__table__:
                statement = statement.where(table.c.email != ADMIN_EMAIL)
            await connection.execute(statement)


@pytest.fixture
async def committed_headers(
    engine: AsyncEngine, committed_client: AsyncClient
) -> dict[str, str]:
    """A signed-in user committed for real, for `committed_client` (deleted after the test)."""
    async with AsyncSession(engine, expire_on_commit=False) as session:
        user = await make_user(session, "racer@example.com")
        await session.commit()
    return bearer(user)


# How many statements wait for a lock this connection holds (none of anyone else's).
LOCK_WAITS = text(
    "SELECT count(*) FROM pg_locks WHERE NOT granted"
    " AND pg_backend_pid() = ANY(pg_blocking_pids(pid))"
)


async def until_blocked(
    connection: AsyncConnection, request: asyncio.Task[Any]
) -> None:
    """Wait until `request` waits for a lock `connection` holds, or has finished without
    waiting for one: what the request does next happens after the test's next step."""
    for _ in range(1000):
        if request.done() or await connection.scalar(LOCK_WAITS):
            return
        await asyncio.sleep(0.01)
    request.cancel()
    raise AssertionError("the request neither finished nor waited for the lock in 10 s")


async def make_user(db: AsyncSession, email: str, *, is_active: bool = True) -> User:
    user = User(
        email=email,
        hashed_password=await hash_password(PASSWORD),
        is_active=is_active,
    )
    db.add(user)
    await db.flush()
    return user


@pytest.fixture
async def user(db: AsyncSession) -> User:
    return await make_user(db, "owner@example.com")


@pytest.fixture
async def other_user(db: AsyncSession) -> User:
    return await make_user(db, "someone-else@example.com")


def bearer(user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_access_token(user.id)}"}


@pytest.fixture
def auth_headers(user: User) -> dict[str, str]:
    return bearer(user)


@pytest.fixture
def other_headers(other_user: User) -> dict[str, str]:
    return bearer(other_user)


@pytest.fixture
def admin_headers() -> dict[str, str]:
    return dict(ADMIN_HEADERS)


class StatementCounter:
    """Counts the SQL statements sent while it is active.

    Savepoints are left out: they stand in for the commits of the test's
    rolled-back transaction.
    """

    def __init__(self) -> None:
        self.count = 0

    def __call__(
        self, _conn: object, _cursor: object, statement: str, *_: object
    ) -> None:
        if "SAVEPOINT" not in statement:
            self.count += 1


@pytest.fixture
def statements(engine: AsyncEngine) -> Iterator[StatementCounter]:
    counter = StatementCounter()
    event.listen(engine.sync_engine, "before_cursor_execute", counter)
    yield counter
    event.remove(engine.sync_engine, "before_cursor_execute", counter)
