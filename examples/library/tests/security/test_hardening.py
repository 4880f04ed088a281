from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.deps import get_rate_limiter
from app.core.config import DEVELOPMENT_SECRET_KEY, Settings, get_settings
from app.core.database import get_async_session
from app.core.rate_limit import DatabaseRateLimiter, MemoryRateLimiter
from app.main import create_app
from app.models import User
from app.schemas.types import HttpUrlStr, Int32
from app.services import user_service
from tests.conftest import PASSWORD

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
ME = "/api/v1/users/me"
HARDENING_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "content-security-policy": "frame-ancestors 'none'",
    "referrer-policy": "no-referrer",
}


async def client_for(app: FastAPI, db: AsyncSession) -> AsyncIterator[AsyncClient]:
    async def session_override() -> AsyncIterator[AsyncSession]:
        yield db

    app.dependency_overrides[get_async_session] = session_override
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


def app_with(**settings: Any) -> FastAPI:
    return create_app(get_settings().model_copy(update=settings))


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/health"), ("GET", ME), ("POST", REGISTER)]
)
async def test_every_response_carries_the_hardening_headers(
    client: AsyncClient, method: str, path: str
) -> None:
    response = await client.request(method, path, json={})
    for header, value in HARDENING_HEADERS.items():
        assert response.headers[header] == value
    assert "strict-transport-security" not in response.headers


async def test_hsts_when_configured(db: AsyncSession) -> None:
    async for client in client_for(app_with(hsts_seconds=31536000), db):
        response = await client.get("/health")
    expected = "max-age=31536000; includeSubDomains"
    assert response.headers["strict-transport-security"] == expected


@pytest.mark.parametrize(
    ("sent", "kept"),
    [(None, False), ("abc-123", True), ("bad id!", False), ("x" * 65, False)],
)
async def test_every_response_has_a_request_id(
    client: AsyncClient, sent: str | None, kept: bool
) -> None:
    headers = {"X-Request-ID": sent} if sent else {}
    response = await client.get("/health", headers=headers)
    request_id = response.headers["x-request-id"]
    assert (request_id == sent) is kept
    assert 1 <= len(request_id) <= 64


async def test_an_unhandled_error_is_a_bare_500(db: AsyncSession) -> None:
    app = app_with()

    async def explode() -> None:
        raise RuntimeError("SELECT secret FROM internals")

    app.add_api_route("/explode", explode)
    async for client in client_for(app, db):
        response = await client.get("/explode")
    assert response.status_code == 500
    body = response.json()
    assert body == {"detail": "Internal server error", "request_id": body["request_id"]}
    assert "SELECT" not in response.text
    assert "Traceback" not in response.text
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_an_oversized_body_is_refused(db: AsyncSession) -> None:
    async for client in client_for(app_with(max_body_bytes=100), db):
        response = await client.post(REGISTER, content=b"{" + b" " * 200 + b"}")
        assert response.status_code == 413

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(10):
                yield b" " * 50

        streamed = await client.post(REGISTER, content=chunks())
        assert 400 <= streamed.status_code < 500


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "application/json"),
        (b"not json", "application/json"),
        (b'{"email": "a@example.com", "password": "long-enough"}', "text/plain"),
        (b'{"email": "a@example.com"', "application/json"),
    ],
    ids=["deep-json", "not-json", "wrong-content-type", "truncated"],
)
async def test_malformed_bodies_are_client_errors(
    client: AsyncClient, content: bytes, content_type: str
) -> None:
    response = await client.post(
        REGISTER, content=content, headers={"Content-Type": content_type}
    )
    assert response.status_code in (400, 422)
    assert "detail" in response.json()


async def test_nul_characters_are_refused(client: AsyncClient) -> None:
    body = {"email": "nul@example.com", "password": "long\x00password"}
    response = await client.post(REGISTER, json=body)
    assert response.status_code == 422


async def test_cors_is_off_unless_configured(
    client: AsyncClient, db: AsyncSession
) -> None:
    origin = {"Origin": "https://app.example"}
    response = await client.get("/health", headers=origin)
    assert "access-control-allow-origin" not in response.headers
    async for configured in client_for(
        app_with(cors_origins=["https://app.example"]), db
    ):
        preflight = await configured.options(
            ME, headers={**origin, "Access-Control-Request-Method": "GET"}
        )
        assert preflight.headers["access-control-allow-origin"] == "https://app.example"
        other = await configured.get(
            "/health", headers={"Origin": "https://evil.example"}
        )
        assert "access-control-allow-origin" not in other.headers


def test_a_wildcard_origin_with_credentials_is_refused() -> None:
    with pytest.raises(ValidationError, match="'\\*' when credentials"):
        Settings(cors_origins=["*"], cors_allow_credentials=True)


def test_production_refuses_the_development_secret_key() -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment="production", secret_key=DEVELOPMENT_SECRET_KEY)
    production = Settings(environment="production", secret_key="k" * 64)
    assert production.environment == "production"


async def test_login_is_rate_limited(client: AsyncClient, user: User) -> None:
    budget = get_settings().auth_rate_limit_per_minute
    form = {"username": user.email, "password": "wrong-password"}
    for _ in range(budget):
        assert (await client.post(LOGIN, data=form)).status_code == 401
    response = await client.post(LOGIN, data=form)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "60"
    other = await client.post(
        REGISTER, json={"email": "new@example.com", "password": PASSWORD}
    )
    assert other.status_code == 201


async def test_the_database_rate_limiter_counts_per_key(db: AsyncSession) -> None:
    limiter = DatabaseRateLimiter(limit=2)
    assert [await limiter.allow("login:1.2.3.4", db) for _ in range(3)] == [
        True,
        True,
        False,
    ]
    assert await limiter.allow("login:5.6.7.8", db)
    limiter.reset()
    get_rate_limiter.cache_clear()
    settings = get_settings()
    store = settings.rate_limit_store
    settings.rate_limit_store = "database"
    try:
        assert isinstance(get_rate_limiter(), DatabaseRateLimiter)
    finally:
        settings.rate_limit_store = store
        get_rate_limiter.cache_clear()


async def test_an_unknown_email_still_costs_a_hash_check(
    client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    checks: list[str] = []
    real_verify = user_service.verify_password

    async def counting_verify(password: str, hashed: str) -> bool:
        checks.append(hashed)
        return await real_verify(password, hashed)

    monkeypatch.setattr(user_service, "verify_password", counting_verify)
    form = {"username": "nobody@example.com", "password": PASSWORD}
    assert (await client.post(LOGIN, data=form)).status_code == 401
    assert len(checks) == 1


def test_urls_are_normalized_and_integers_bounded() -> None:
    url = TypeAdapter(HttpUrlStr)
    assert url.validate_python("https://Example.com") == "https://example.com/"
    with pytest.raises(ValidationError):
        url.validate_python("ftp://example.com")
    with pytest.raises(ValidationError):
        TypeAdapter(Int32).validate_python(2**31)


def test_env_example_documents_every_setting() -> None:
    example = Path(__file__).resolve().parents[2] / ".env.example"
    documented = {
        line.split("=", 1)[0].lower()
        for line in example.read_text().splitlines()
        if "=" in line and not line.startswith("#")
    }
    assert documented == set(Settings.model_fields)


async def test_the_memory_rate_limiter_forgets_idle_clients(
    db: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.core.rate_limit.MAX_TRACKED_KEYS", 2)
    limiter = MemoryRateLimiter(limit=1, window_seconds=0)
    for client in ("a", "b", "c", "d"):
        assert await limiter.allow(client, db)
    assert len(limiter._hits) <= 3
