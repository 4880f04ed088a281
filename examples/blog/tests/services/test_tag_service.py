from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import ConflictError
from app.models import Tag, User
from app.schemas.tag import TagCreate, TagFilters
from app.services.tag_service import TagService
from tests.api.test_tags import VALID, payload

pytestmark = pytest.mark.priority_high
EVERYTHING = TagFilters()


async def make(service: TagService, body: dict[str, Any], user: User) -> Tag:
    return await service.create(TagCreate.model_validate(body), user_id=user.id)


async def test_create_get_update_delete(
    db: AsyncSession, client: AsyncClient, auth_headers: dict[str, str], user: User
) -> None:
    service = TagService(db)
    created = await make(service, await payload(client, auth_headers, 0), user)
    assert repr(created) == f"<Tag id={created.id}>"
    assert await service.get(created.id, user_id=user.id) is created
    assert await service.count(EVERYTHING, user_id=user.id) >= 1
    assert created in await service.get_multi(
        limit=100, cursor=None, filters=EVERYTHING, user_id=user.id
    )
    field = "label"
    data = await payload(client, auth_headers, 1)
    replacement = TagCreate.model_validate(data).model_dump()[field]
    changed = await service.update(created.id, {field: replacement}, user_id=user.id)
    assert changed is not None
    assert getattr(changed, field) == replacement
    assert await service.delete(created.id, user_id=user.id)
    assert await service.get(created.id, user_id=user.id) is None
    assert not await service.delete(created.id, user_id=user.id)
    gone = await service.update(created.id, {}, user_id=user.id)
    assert gone is None


async def test_rows_are_scoped_to_their_owner(
    db: AsyncSession,
    client: AsyncClient,
    auth_headers: dict[str, str],
    user: User,
    other_user: User,
) -> None:
    service = TagService(db)
    created = await make(service, await payload(client, auth_headers, 0), user)
    assert await service.get(created.id, user_id=other_user.id) is None
    theirs = await service.update(created.id, {}, user_id=other_user.id)
    assert theirs is None
    assert not await service.delete(created.id, user_id=other_user.id)
    rows = await service.get_multi(
        limit=10, cursor=None, filters=EVERYTHING, user_id=other_user.id
    )
    assert rows == []
    assert await service.count(EVERYTHING, user_id=other_user.id) == 0


async def test_a_duplicate_raises_conflict(
    db: AsyncSession, client: AsyncClient, auth_headers: dict[str, str], user: User
) -> None:
    service = TagService(db)
    await make(service, await payload(client, auth_headers, 0), user)
    field = "label"
    duplicate = {**await payload(client, auth_headers, 1), field: VALID[0][field]}
    with pytest.raises(ConflictError, match=field):
        await make(service, duplicate, user)
