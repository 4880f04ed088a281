import logging
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, Request
from httpx import ASGITransport, AsyncClient
from pydantic import SecretStr, TypeAdapter, ValidationError
from sqlalchemy import DateTime, func, insert, literal, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.api.deps import get_rate_limiter
from app.core import security
from app.core.config import PUBLISHED_SECRET_KEYS, Settings, get_settings
from app.core.cpus import usable_cpus
from app.core.database import engine as app_engine
from app.core.database import get_async_session
from app.core.rate_limit import DatabaseRateLimiter, MemoryRateLimiter
from app.main import create_app
from app.models import RateLimitWindow, User
from app.schemas.types import HttpUrlStr, Int32
from app.services import user_service
from tests.conftest import PASSWORD, request_sessions

PROJECT_ROOT = Path(__file__).resolve().parents[2]

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
ME = "/api/v1/users/me"
HARDENING_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "content-security-policy": "frame-ancestors 'none'",
    "referrer-policy": "no-referrer",
}


async def client_for(
    app: FastAPI, connection: AsyncConnection, peer: str = "127.0.0.1"
) -> AsyncIterator[AsyncClient]:
    """A client of `app` connecting from the address `peer`."""
    app.dependency_overrides[get_async_session] = request_sessions(connection)
    transport = ASGITransport(app=app, raise_app_exceptions=False, client=(peer, 50000))
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


def app_with(**settings: Any) -> FastAPI:
    return create_app(get_settings().model_copy(update=settings))


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/health/live"), ("GET", ME), ("POST", REGISTER)]
)
async def test_every_response_carries_the_hardening_headers(
    client: AsyncClient, method: str, path: str
) -> None:
    response = await client.request(method, path, json={})
    for header, value in HARDENING_HEADERS.items():
        assert response.headers[header] == value
    assert "strict-transport-security" not in response.headers


async def test_hsts_when_configured(connection: AsyncConnection) -> None:
    async for client in client_for(app_with(hsts_seconds=31536000), connection):
        response = await client.get("/health/live")
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
    response = await client.get("/health/live", headers=headers)
    request_id = response.headers["x-request-id"]
    assert (request_id == sent) is kept
    assert 1 <= len(request_id) <= 64


async def test_an_unhandled_error_is_a_bare_500(connection: AsyncConnection) -> None:
    app = app_with()

    async def explode() -> None:
        raise RuntimeError("SELECT secret FROM internals")

    app.add_api_route("/explode", explode)
    async for client in client_for(app, connection):
        response = await client.get("/explode")
    assert response.status_code == 500
    body = response.json()
    assert body == {"detail": "Internal server error", "request_id": body["request_id"]}
    assert "SELECT" not in response.text
    assert "Traceback" not in response.text
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_an_oversized_body_is_refused(connection: AsyncConnection) -> None:
    async for client in client_for(app_with(max_body_bytes=100), connection):
        response = await client.post(REGISTER, content=b"{" + b" " * 200 + b"}")
        assert response.status_code == 413

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(10):
                yield b" " * 50

        streamed = await client.post(REGISTER, content=chunks())
        assert streamed.status_code == 413
        assert streamed.json() == {"detail": "Request body larger than 100 bytes"}


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "application/json"),
        (b"not json", "application/json"),
        (b'{"email": "a@example.com", "password": "long-enough"}', "text/plain"),
        (b'{"email": "a@example.com"', "application/json"),
        # Python's json reads these as floats that JSON cannot write back in the 422.
        (b'{"email": 1e400, "password": "long-enough"}', "application/json"),
        (b'{"email": [NaN, -Infinity], "password": "long-enough"}', "application/json"),
    ],
    ids=["deep-json", "not-json", "wrong-content-type", "truncated", "1e400", "nan"],
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
    client: AsyncClient, connection: AsyncConnection
) -> None:
    origin = {"Origin": "https://app.example"}
    response = await client.get("/health/live", headers=origin)
    assert "access-control-allow-origin" not in response.headers
    async for configured in client_for(
        app_with(cors_origins=["https://app.example"]), connection
    ):
        preflight = await configured.options(
            ME, headers={**origin, "Access-Control-Request-Method": "GET"}
        )
        assert preflight.headers["access-control-allow-origin"] == "https://app.example"
        other = await configured.get(
            "/health/live", headers={"Origin": "https://evil.example"}
        )
        assert "access-control-allow-origin" not in other.headers


def test_a_wildcard_origin_with_credentials_is_refused() -> None:
    with pytest.raises(ValidationError, match="'\\*' when credentials"):
        Settings(cors_origins=["*"], cors_allow_credentials=True)


@pytest.mark.parametrize(
    "key",
    [None, "k" * 31, "k" * 31 + " ", " " * 40, *sorted(PUBLISHED_SECRET_KEYS)],
    ids=lambda key: "missing" if key is None else f"{len(key)}-bytes",
)
def test_only_development_and_test_run_without_a_secret_key_of_their_own(
    monkeypatch: pytest.MonkeyPatch, key: str | None
) -> None:
    monkeypatch.delenv("ENVIRONMENT")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    given: dict[str, Any] = {} if key is None else {"secret_key": key}
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(_env_file=None, **given)  # the default environment
    Settings(_env_file=None, environment="development", **given)
    Settings(_env_file=None, environment="test", **given)


def test_without_a_key_development_signs_with_a_random_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first, second = (Settings(_env_file=None).secret_key for _ in range(2))
    assert first.get_secret_value() != second.get_secret_value()
    assert len(first.get_secret_value()) >= 32


def test_production_is_the_default_and_serves_no_docs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ENVIRONMENT")
    production = Settings(_env_file=None, secret_key=SecretStr("k" * 64))
    assert production.environment == "production"
    assert not production.docs_enabled
    assert Settings(
        _env_file=None, secret_key=SecretStr("k" * 64), api_docs=True
    ).docs_enabled


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json"])
async def test_api_docs_are_off_in_production_unless_turned_on(
    connection: AsyncConnection, path: str
) -> None:
    production = {"environment": "production", "secret_key": "k" * 64}
    async for client in client_for(app_with(**production), connection):
        assert (await client.get(path)).status_code == 404
    async for client in client_for(app_with(**production, api_docs=True), connection):
        assert (await client.get(path)).status_code == 200


def test_an_unsafe_configuration_stops_the_app_with_one_line(tmp_path: Path) -> None:
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"ENVIRONMENT", "SECRET_KEY"}
    }
    # From another directory, so that no .env is read.
    started = subprocess.run(
        [sys.executable, "-c", "import app.main"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert started.returncode == 3  # uvicorn and gunicorn stop instead of respawning
    assert started.stderr.startswith("error: refusing to start: SECRET_KEY is not set")
    assert started.stderr.count("\n") == 1
    assert "Traceback" not in started.stderr


def test_env_example_carries_no_usable_key() -> None:
    example = PROJECT_ROOT / ".env.example"
    values = dict(
        line.split("=", 1)
        for line in example.read_text().splitlines()
        if "=" in line and not line.startswith("#")
    )
    assert values["SECRET_KEY"] == ""
    assert values["ENVIRONMENT"] == "production"
    assert "secrets.token_urlsafe(48)" in example.read_text()


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


def whoami_app(**settings: Any) -> FastAPI:
    app = app_with(**settings)

    async def whoami(request: Request) -> str:
        return request.client.host if request.client else ""

    app.add_api_route("/whoami", whoami)
    return app


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "client"),
    [
        ("10.0.0.1", "203.0.113.5", "203.0.113.5"),
        ("10.0.0.1", "1.2.3.4, 203.0.113.5", "203.0.113.5"),
        ("10.0.0.1", "203.0.113.5, 10.0.0.2", "203.0.113.5"),
        ("198.51.100.9", "1.2.3.4", "198.51.100.9"),
    ],
    ids=["through-the-proxy", "forged-hop", "two-proxies", "untrusted-peer"],
)
async def test_the_client_address_comes_from_trusted_proxies_only(
    connection: AsyncConnection, peer: str, forwarded_for: str, client: str
) -> None:
    app = whoami_app(trusted_proxies=["10.0.0.0/8"])
    async for http in client_for(app, connection, peer=peer):
        response = await http.get("/whoami", headers={"X-Forwarded-For": forwarded_for})
        assert response.json() == client


async def test_without_trusted_proxies_forwarded_for_is_ignored(
    connection: AsyncConnection,
) -> None:
    async for http in client_for(whoami_app(), connection, peer="10.0.0.1"):
        response = await http.get("/whoami", headers={"X-Forwarded-For": "1.2.3.4"})
        assert response.json() == "10.0.0.1"


async def test_one_address_cannot_lock_others_out_behind_a_proxy(
    connection: AsyncConnection, user: User
) -> None:
    """Everyone comes through the load balancer (10.0.0.1): an attacker spending a whole
    budget on one account, forging hops, still leaves its owner able to sign in."""
    app = app_with(trusted_proxies=["10.0.0.0/8"])
    wrong = {"username": user.email, "password": "wrong-password"}
    attacker = "203.0.113.5"
    async for client in client_for(app, connection, peer="10.0.0.1"):
        statuses = [
            (
                await client.post(
                    LOGIN,
                    data=wrong,
                    headers={"X-Forwarded-For": f"{forged}, {attacker}"},
                )
            ).status_code
            for forged in ("1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4", "5.5.5.5") * 3
        ]
        budget = get_settings().auth_rate_limit_per_minute
        assert statuses == [401] * budget + [429] * (15 - budget)
        form = {"username": user.email, "password": PASSWORD}
        honest = {"X-Forwarded-For": "198.51.100.7"}
        assert (await client.post(LOGIN, data=form, headers=honest)).status_code == 200


async def test_rotating_addresses_buys_no_more_guesses_at_one_account(
    connection: AsyncConnection, user: User
) -> None:
    settings = get_settings()
    app = app_with(trusted_proxies=["10.0.0.0/8"])
    wrong = {"username": f" {user.email.upper()} ", "password": "wrong-password"}
    budget = settings.login_rate_limit_per_account_per_minute
    assert budget > settings.auth_rate_limit_per_minute
    async for client in client_for(app, connection, peer="10.0.0.1"):
        for attempt in range(budget):
            address = {"X-Forwarded-For": f"203.0.113.{attempt}"}
            assert (
                await client.post(LOGIN, data=wrong, headers=address)
            ).status_code == 401
        fresh = {"X-Forwarded-For": "198.51.100.7"}
        assert (await client.post(LOGIN, data=wrong, headers=fresh)).status_code == 429
        other = {"username": "nobody@example.com", "password": "wrong-password"}
        assert (await client.post(LOGIN, data=other, headers=fresh)).status_code == 401


async def test_register_is_limited_per_client_address(
    connection: AsyncConnection,
) -> None:
    app = app_with(trusted_proxies=["10.0.0.0/8"])
    budget = get_settings().auth_rate_limit_per_minute
    async for client in client_for(app, connection, peer="10.0.0.1"):
        for index in range(budget + 1):
            account = {"email": f"new{index}@example.com", "password": PASSWORD}
            here = {"X-Forwarded-For": "203.0.113.5"}
            response = await client.post(REGISTER, json=account, headers=here)
            assert response.status_code == (201 if index < budget else 429)
        account = {"email": "elsewhere@example.com", "password": PASSWORD}
        there = {"X-Forwarded-For": "198.51.100.7"}
        assert (
            await client.post(REGISTER, json=account, headers=there)
        ).status_code == 201


async def test_the_database_rate_limiter_counts_per_key(db: AsyncSession) -> None:
    limiter = DatabaseRateLimiter()
    assert [await limiter.allow("login:1.2.3.4", 2, db) for _ in range(3)] == [
        True,
        True,
        False,
    ]
    assert await limiter.allow("login:5.6.7.8", 2, db)
    limiter.reset()
    get_rate_limiter.cache_clear()
    settings = get_settings()
    store = settings.rate_limit_store
    settings.rate_limit_store = "memory"
    try:
        assert isinstance(get_rate_limiter(), MemoryRateLimiter)
    finally:
        settings.rate_limit_store = store
        get_rate_limiter.cache_clear()


async def test_workers_share_the_database_rate_limit(db: AsyncSession) -> None:
    # Two workers: two limiters, one table.
    workers = [DatabaseRateLimiter(), DatabaseRateLimiter()]
    allowed = [await workers[i % 2].allow("login:1.2.3.4", 4, db) for i in range(6)]
    assert allowed == [True] * 4 + [False] * 2


async def test_the_database_rate_limiter_removes_every_expired_window(
    db: AsyncSession,
) -> None:
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    expired = select(
        func.concat("client-", func.generate_series(1, 100_000)),
        literal(long_ago, DateTime(timezone=True)),
        literal(1),
    )
    columns = ["key", "window_start", "hits"]
    await db.execute(insert(RateLimitWindow).from_select(columns, expired))
    assert await DatabaseRateLimiter().allow("login:1.2.3.4", 10, db)
    assert await db.scalar(select(func.count()).select_from(RateLimitWindow)) == 1


async def test_an_unknown_email_still_costs_a_hash_check(
    client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    checks: list[str] = []
    real_verify = security.verify_password

    async def counting_verify(password: str, hashed: str) -> bool:
        checks.append(hashed)
        return await real_verify(password, hashed)

    monkeypatch.setattr(user_service, "verify_password", counting_verify)
    form = {"username": "nobody@example.com", "password": PASSWORD}
    assert (await client.post(LOGIN, data=form)).status_code == 401
    assert len(checks) == 1


def test_urls_are_http_and_integers_bounded() -> None:
    url = TypeAdapter(HttpUrlStr)
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


async def test_the_memory_rate_limiter_forgets_expired_clients(
    db: AsyncSession,
) -> None:
    now = [0.0]
    limiter = MemoryRateLimiter(window_seconds=60, clock=lambda: now[0])
    for client in range(100_000):
        assert await limiter.allow(f"login:{client}", 1, db)
    assert not await limiter.allow("login:0", 1, db)
    now[0] = 120.0  # two windows later: every client's window has expired
    assert await limiter.allow("login:0", 1, db)
    assert limiter.tracked == 1


async def test_the_memory_rate_limiter_window_slides(db: AsyncSession) -> None:
    now = [59.0]
    limiter = MemoryRateLimiter(window_seconds=60, clock=lambda: now[0])
    assert [await limiter.allow("a", 2, db) for _ in range(3)] == [True, True, False]
    # A new fixed window, but the last one's hits still count almost whole:
    now[0] = 61.0
    assert [await limiter.allow("a", 2, db) for _ in range(2)] == [True, False]
    now[0] = 100.0  # two thirds of the way through: a third of them counts
    assert [await limiter.allow("a", 2, db) for _ in range(2)] == [True, False]


async def test_sql_errors_leave_out_the_bound_values() -> None:
    failing = text("SELECT CAST(:email AS text), 1 / 0")
    try:
        async with app_engine.connect() as connection:
            with pytest.raises(DBAPIError) as raised:
                await connection.execute(failing, {"email": "secret@example.com"})
    finally:
        await app_engine.dispose()  # its connection belongs to this test's event loop
    assert "division by zero" in str(raised.value)
    assert "secret@example.com" not in str(raised.value)


async def test_a_500_still_carries_the_cors_headers(
    connection: AsyncConnection,
) -> None:
    app = app_with(cors_origins=["https://app.example"])

    async def explode() -> None:
        raise RuntimeError("boom")

    app.add_api_route("/explode", explode)
    async for client in client_for(app, connection):
        response = await client.get(
            "/explode", headers={"Origin": "https://app.example"}
        )
    assert response.status_code == 500
    assert response.headers["access-control-allow-origin"] == "https://app.example"


@pytest.mark.parametrize(
    ("membership", "files", "cpus"),
    [
        ("0::/\n", {"cpu.max": "150000 100000\n"}, 2),
        ("0::/\n", {"cpu.max": "max 100000\n"}, None),
        # systemd's CPUQuota= on a unit above the process; the process's own group is free.
        (
            "0::/app.slice/web.service\n",
            {
                "app.slice/cpu.max": "50000 100000\n",
                "app.slice/web.service/cpu.max": "max 100000\n",
            },
            1,
        ),
        (
            "4:cpu,cpuacct:/docker/c1\n",
            {
                "cpu,cpuacct/docker/c1/cpu.cfs_quota_us": "100000\n",
                "cpu,cpuacct/docker/c1/cpu.cfs_period_us": "100000\n",
            },
            1,
        ),
        (
            "4:cpu,cpuacct:/\n",
            {
                "cpu,cpuacct/cpu.cfs_quota_us": "-1\n",
                "cpu,cpuacct/cpu.cfs_period_us": "100000\n",
            },
            None,
        ),
        ("0::/\n", {}, None),
    ],
    ids=["v2-1.5", "v2-unlimited", "v2-parent-0.5", "v1-1", "v1-unlimited", "none"],
)
def test_hashing_threads_follow_the_cpus_the_process_may_use(
    tmp_path: Path, membership: str, files: dict[str, str], cpus: int | None
) -> None:
    root = tmp_path / "cgroup"
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content)
    (root / "membership").parent.mkdir(parents=True, exist_ok=True)
    (root / "membership").write_text(membership)
    allowed = len(os.sched_getaffinity(0))
    expected = allowed if cpus is None else min(allowed, cpus)
    assert usable_cpus(root, root / "membership") == expected


@pytest.mark.parametrize(
    "settings",
    [
        {"trusted_proxies": ["*"]},
        {"trusted_proxies": ["proxy.internal"]},
        {
            "auth_rate_limit_per_minute": 30,
            "login_rate_limit_per_account_per_minute": 30,
        },
    ],
    ids=["wildcard-proxy", "hostname-proxy", "account-budget-not-larger"],
)
def test_unsafe_rate_limit_settings_are_refused(settings: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Settings(_env_file=None, **settings)


def test_a_list_setting_that_is_not_json_stops_the_app_with_one_line(
    tmp_path: Path,
) -> None:
    env = {
        **os.environ,
        "TRUSTED_PROXIES": "10.0.0.0/8",
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    started = subprocess.run(
        [sys.executable, "-c", "import app.main"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert started.returncode == 3
    assert started.stderr.startswith("error: refusing to start:")
    assert "trusted_proxies" in started.stderr
    assert "Traceback" not in started.stderr


async def test_ipv6_clients_are_limited_by_their_64(
    connection: AsyncConnection,
) -> None:
    """One host usually holds a whole /64: new addresses in it buy no more attempts."""
    app = app_with(trusted_proxies=["10.0.0.0/8"])
    budget = get_settings().auth_rate_limit_per_minute
    wrong = {"username": "nobody@example.com", "password": "wrong-password"}
    async for client in client_for(app, connection, peer="10.0.0.1"):
        statuses = [
            (
                await client.post(
                    LOGIN,
                    data=wrong,
                    headers={"X-Forwarded-For": f"2001:db8:1:2::{i:x}"},
                )
            ).status_code
            for i in range(budget + 1)
        ]
        assert statuses == [401] * budget + [429]
        elsewhere = {"X-Forwarded-For": "2001:db8:1:3::1"}
        assert (
            await client.post(LOGIN, data=wrong, headers=elsewhere)
        ).status_code == 401


async def test_logged_database_errors_leave_out_the_rows_values(
    db: AsyncSession, user: User
) -> None:
    db.add(User(email=user.email, hashed_password="-"))
    with pytest.raises(IntegrityError) as raised:
        await db.flush()
    await db.rollback()
    error = (raised.type, raised.value, raised.tb)
    record = logging.LogRecord("app", logging.ERROR, __file__, 1, "boom", None, error)
    handler = logging.getLogger("app").handlers[0]
    assert handler.filter(record)  # adds the request id, as for every record
    logged = handler.format(record)
    assert "duplicate key value" in logged
    assert user.email not in logged
