from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import text

from app.core.database import check_connection, get_async_session
from app.main import lifespan


async def test_health(client: AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_openapi_lists_the_auth_routes(client: AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert "/api/v1/auth/register" in paths
    assert "/api/v1/auth/login" in paths
    assert "/api/v1/users/me" in paths


async def test_the_database_is_reachable() -> None:
    await check_connection()


async def test_the_request_session_dependency_opens_a_working_session() -> None:
    async for session in get_async_session():
        assert await session.scalar(text("SELECT 1")) == 1


async def test_shutdown_releases_the_connection_pool() -> None:
    async with lifespan(FastAPI()):
        await check_connection()
