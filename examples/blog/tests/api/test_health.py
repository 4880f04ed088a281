import asyncio
from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import delete, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool
from starlette.requests import Request

from app.core.config import get_settings
from app.core.database import (
    ReadOnlySessionError,
    check_connection,
    get_async_session,
    get_probe_engine,
)
from app.core.database import engine as app_engine
from app.main import app, lifespan
from app.models import User


@pytest.mark.parametrize("probe", ["live", "ready"])
async def test_the_probes_answer_ok(client: AsyncClient, probe: str) -> None:
    response = await client.get(f"/health/{probe}")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.fixture
async def silent_port() -> AsyncIterator[int]:
    """A port that accepts connections and never answers: a database that hangs."""
    accepted: list[asyncio.StreamWriter] = []
    server = await asyncio.start_server(
        lambda _, writer: accepted.append(writer), "127.0.0.1", 0
    )
    yield server.sockets[0].getsockname()[1]
    for writer in accepted:
        writer.close()
    server.close()
    await server.wait_closed()


@pytest.mark.parametrize("database", ["refused", "hanging"])
async def test_without_the_database_the_app_is_live_but_not_ready(
    client: AsyncClient,
    silent_port: int,
    monkeypatch: pytest.MonkeyPatch,
    database: str,
) -> None:
    # Nothing listens on port 1; the silent port never answers.
    port = 1 if database == "refused" else silent_port
    url = f"postgresql+asyncpg://nobody@127.0.0.1:{port}/nothing"
    nowhere = create_async_engine(url, poolclass=NullPool)
    app.dependency_overrides[get_probe_engine] = lambda: nowhere
    monkeypatch.setattr(get_settings(), "health_timeout_seconds", 0.2)
    assert (await client.get("/health/live")).status_code == 200
    async with asyncio.timeout(5):  # the probe's own timeout answers, not the driver's
        response = await client.get("/health/ready")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


async def test_openapi_lists_the_auth_routes(client: AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert "/api/v1/auth/register" in paths
    assert "/api/v1/auth/login" in paths
    assert "/api/v1/users/me" in paths


async def test_the_database_is_reachable() -> None:
    await check_connection()


def request(method: str) -> Request:
    return Request({"type": "http", "method": method, "path": "/", "headers": []})


@pytest.mark.parametrize(("method", "in_transaction"), [("GET", False), ("POST", True)])
async def test_reads_skip_the_transaction_and_writes_get_one(
    method: str, in_transaction: bool
) -> None:
    async for session in get_async_session(request(method)):
        transaction_id = text("SELECT txid_current()")
        first, second = [await session.scalar(transaction_id) for _ in range(2)]
        assert (first == second) is in_transaction


async def test_a_read_session_refuses_to_write() -> None:
    """GET and HEAD sessions have no transaction to roll a write back: they refuse it."""
    async for session in get_async_session(request("GET")):
        session.add(User(email="ghost@example.com", hashed_password="-"))
        with pytest.raises(ReadOnlySessionError, match="may not write"):
            await session.flush()
        session.expunge_all()
        with pytest.raises(ReadOnlySessionError, match="may not write"):
            await session.execute(delete(User).where(User.id == -1))


async def test_a_connection_postgresql_closed_is_replaced_unnoticed(
    engine: AsyncEngine,
) -> None:
    await app_engine.dispose()  # the pool now holds only the connection made below
    async with app_engine.connect() as connection:
        pid = await connection.scalar(text("SELECT pg_backend_pid()"))
        closed = asyncio.Event()
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None
        driver.add_termination_listener(lambda _: closed.set())
        await connection.rollback()  # returned idle, the pool keeps it as it is
    async with engine.connect() as other:
        await other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    async with asyncio.timeout(5):
        await closed.wait()  # the driver has read the closed socket
    async for session in get_async_session(request("GET")):  # reads share the pool
        assert await session.scalar(text("SELECT pg_backend_pid()")) != pid


async def test_shutdown_releases_the_connection_pool() -> None:
    async with lifespan(FastAPI()):
        await check_connection()
