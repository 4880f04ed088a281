import asyncio
from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from starlette.requests import Request

from app.core.database import check_connection, get_async_session
from app.core.database import engine as app_engine
from app.main import app, lifespan


@pytest.mark.parametrize("probe", ["live", "ready"])
async def test_the_probes_answer_ok(client: AsyncClient, probe: str) -> None:
    response = await client.get(f"/health/{probe}")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.fixture
async def cut_off(client: AsyncClient) -> AsyncIterator[AsyncClient]:
    """`client`, with sessions of a server that is not there (nothing listens on port 1)."""
    nowhere = create_async_engine("postgresql+asyncpg://nobody@127.0.0.1:1/nothing")

    async def session() -> AsyncIterator[AsyncSession]:
        async with AsyncSession(nowhere) as db:
            yield db

    app.dependency_overrides[get_async_session] = session
    yield client
    await nowhere.dispose()


async def test_without_the_database_the_app_is_live_but_not_ready(
    cut_off: AsyncClient,
) -> None:
    assert (await cut_off.get("/health/live")).status_code == 200
    response = await cut_off.get("/health/ready")
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


async def test_a_connection_postgresql_closed_is_replaced_unnoticed(
    engine: AsyncEngine,
) -> None:
    await app_engine.dispose()  # the pool now holds only the connection made below
    async with app_engine.connect() as connection:
        pid = await connection.scalar(text("SELECT pg_backend_pid()"))
        closed = asyncio.Event()
        driver = (await connection.get_raw_connection()).driver_connection
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
