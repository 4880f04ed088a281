import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.commands import main, promote
from app.models import User
from tests.conftest import PASSWORD


async def test_promote_makes_a_user_an_admin(db: AsyncSession, user: User) -> None:
    assert not user.is_superuser
    assert await promote(db, f" {user.email.upper()} ")
    await db.refresh(user)
    assert user.is_superuser


async def test_promote_refuses_an_unknown_email(db: AsyncSession) -> None:
    assert not await promote(db, "nobody@example.com")


def test_the_command_line_reports_an_unknown_email(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["promote", "nobody@example.com"])
    assert exited.value.code == 1
    assert "no user with the email nobody@example.com" in capsys.readouterr().err


async def test_registering_cannot_claim_the_admin_role(client: AsyncClient) -> None:
    body = {"email": "sneaky@example.com", "password": PASSWORD, "is_superuser": True}
    response = await client.post("/api/v1/auth/register", json=body)
    assert response.status_code == 422
