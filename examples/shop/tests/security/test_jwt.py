import asyncio
import os
import sys
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import get_settings
from app.core.security import (
    HASHING_NICENESS,
    hash_password,
    hashing_threads,
    verify_password,
)
from app.models import User
from tests.conftest import bearer, make_user

ME = "/api/v1/users/me"


def token(
    claims: dict[str, Any], *, key: str | None = None, algorithm: str = "HS256"
) -> str:
    secret = key or get_settings().secret_key.get_secret_value()
    return jwt.encode(claims, secret, algorithm=algorithm)


def claims(user: User, **overrides: Any) -> dict[str, Any]:
    settings = get_settings()
    now = datetime.now(UTC)
    base = {
        "sub": str(user.id),
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + timedelta(minutes=5),
    }
    return {**base, **overrides}


def auth(access_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token}"}


async def assert_rejected(client: AsyncClient, access_token: str) -> None:
    response = await client.get(ME, headers=auth(access_token))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_a_valid_token_is_accepted(client: AsyncClient, user: User) -> None:
    response = await client.get(ME, headers=bearer(user))
    assert response.status_code == 200
    assert (await client.get(ME, headers=auth(token(claims(user))))).status_code == 200


@pytest.mark.parametrize("claim", ["iss", "aud"])
async def test_a_token_of_another_service_is_rejected(
    client: AsyncClient, user: User, claim: str
) -> None:
    """Signed with this service's key, but issued by or for another one."""
    await assert_rejected(client, token(claims(user, **{claim: "another-service"})))


async def test_an_expired_token_is_rejected(client: AsyncClient, user: User) -> None:
    past = datetime.now(UTC) - timedelta(minutes=10)
    await assert_rejected(client, token(claims(user, iat=past, exp=past)))


async def test_a_token_not_yet_valid_is_rejected(
    client: AsyncClient, user: User
) -> None:
    later = datetime.now(UTC) + timedelta(minutes=10)
    await assert_rejected(client, token(claims(user, nbf=later)))


async def test_a_token_of_a_deleted_user_is_rejected(
    client: AsyncClient, db: AsyncSession
) -> None:
    gone = await make_user(db, "gone@example.com")
    access_token = bearer(gone)["Authorization"][7:]
    await db.delete(gone)
    await db.flush()
    await assert_rejected(client, access_token)


async def test_a_tampered_token_is_rejected(client: AsyncClient, user: User) -> None:
    header, _, signature = bearer(user)["Authorization"][7:].split(".")
    forged = jwt.encode(claims(user, sub="999999"), "k" * 64, algorithm="HS256")
    await assert_rejected(client, f"{header}.{forged.split('.')[1]}.{signature}")


async def test_a_token_signed_with_another_key_is_rejected(
    client: AsyncClient, user: User
) -> None:
    await assert_rejected(client, token(claims(user), key="another-key-" * 6))


async def test_another_algorithm_is_rejected(client: AsyncClient, user: User) -> None:
    await assert_rejected(client, token(claims(user), algorithm="HS512"))


async def test_an_unsigned_token_is_rejected(client: AsyncClient, user: User) -> None:
    unsigned = jwt.encode(claims(user), key=None, algorithm="none")
    await assert_rejected(client, unsigned)


@pytest.mark.parametrize("missing", ["sub", "exp", "iat", "iss", "aud"])
async def test_a_token_without_a_required_claim_is_rejected(
    client: AsyncClient, user: User, missing: str
) -> None:
    incomplete = claims(user)
    del incomplete[missing]
    await assert_rejected(client, token(incomplete))


@pytest.mark.parametrize("subject", ["not-a-number", "999999999"])
async def test_a_token_for_no_user_is_rejected(
    client: AsyncClient, user: User, subject: str
) -> None:
    await assert_rejected(client, token(claims(user, sub=subject)))


async def test_an_inactive_user_is_rejected(
    client: AsyncClient, db: AsyncSession
) -> None:
    inactive = await make_user(db, "inactive@example.com", is_active=False)
    await assert_rejected(client, bearer(inactive)["Authorization"][7:])


async def test_garbage_is_rejected(client: AsyncClient) -> None:
    await assert_rejected(client, "not.a.token")


async def test_passwords_are_hashed_with_bcrypt() -> None:
    hashed = await hash_password("s3cret-password")
    assert hashed.startswith("$2b$")
    assert await verify_password("s3cret-password", hashed)
    assert not await verify_password("other-password", hashed)


@pytest.mark.skipif(
    sys.platform != "linux", reason="per-thread nice values are Linux's"
)
async def test_hashing_threads_yield_the_cpu_to_other_requests() -> None:
    def nice_and_thread() -> tuple[int, str]:
        return os.getpriority(os.PRIO_PROCESS, 0), threading.current_thread().name

    loop = asyncio.get_running_loop()
    nice, name = await loop.run_in_executor(hashing_threads(), nice_and_thread)
    assert name.startswith("password-hashing")
    assert nice == min(19, os.getpriority(os.PRIO_PROCESS, 0) + HASHING_NICENESS)
