from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import User
from tests.conftest import PASSWORD, make_user

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
ME = "/api/v1/users/me"


async def test_register_creates_a_user(client: AsyncClient) -> None:
    response = await client.post(
        REGISTER, json={"email": "New@Example.com", "password": PASSWORD}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "new@example.com"
    assert body["is_active"] is True
    assert "password" not in body
    assert "hashed_password" not in body


async def test_register_rejects_a_taken_email(client: AsyncClient, user: User) -> None:
    response = await client.post(
        REGISTER, json={"email": user.email, "password": PASSWORD}
    )
    assert response.status_code == 409
    assert response.json() == {"detail": "A user with this email already exists"}


async def test_register_validates_its_input(client: AsyncClient) -> None:
    cases = [
        {"email": "not-an-email", "password": PASSWORD},
        {"email": "a@example.com", "password": "short"},
        {"email": "a@example.com", "password": "é" * 37},
        {"email": "a@example.com", "password": PASSWORD, "is_active": False},
        {"email": "a@example.com"},
    ]
    for payload in cases:
        response = await client.post(REGISTER, json=payload)
        assert response.status_code == 422, payload


async def test_register_accepts_a_72_byte_password(client: AsyncClient) -> None:
    response = await client.post(
        REGISTER, json={"email": "long@example.com", "password": "p" * 72}
    )
    assert response.status_code == 201


async def test_login_returns_a_working_token(client: AsyncClient, user: User) -> None:
    response = await client.post(
        LOGIN, data={"username": user.email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 200
    token = response.json()
    assert token["token_type"] == "bearer"
    me = await client.get(
        ME, headers={"Authorization": f"Bearer {token['access_token']}"}
    )
    assert me.status_code == 200
    assert me.json()["id"] == user.id


async def test_login_rejects_a_wrong_password(client: AsyncClient, user: User) -> None:
    response = await client.post(
        LOGIN, data={"username": user.email, "password": "wrong-password"}
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_login_rejects_an_unknown_email(client: AsyncClient) -> None:
    response = await client.post(
        LOGIN, data={"username": "nobody@example.com", "password": PASSWORD}
    )
    assert response.status_code == 401


async def test_me_requires_a_token(client: AsyncClient) -> None:
    response = await client.get(ME)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_login_rejects_an_inactive_user(
    client: AsyncClient, db: AsyncSession
) -> None:
    inactive = await make_user(db, "inactive@example.com", is_active=False)
    response = await client.post(
        LOGIN, data={"username": inactive.email, "password": PASSWORD}
    )
    assert response.status_code == 401


async def test_login_with_an_overlong_password_is_refused(
    client: AsyncClient, user: User
) -> None:
    response = await client.post(
        LOGIN, data={"username": user.email, "password": "p" * 100}
    )
    assert response.status_code == 401
