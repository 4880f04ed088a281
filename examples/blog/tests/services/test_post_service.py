import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import ConflictError
from app.models import Post, User
from app.schemas.post import PostCreate
from app.services.post_service import PostService
from tests.api.test_posts import VALID

pytestmark = pytest.mark.priority_high


async def make(service: PostService, index: int, user: User) -> Post:
    return await service.create(
        PostCreate.model_validate(VALID[index]), user_id=user.id
    )


async def test_create_get_update_delete(db: AsyncSession, user: User) -> None:
    service = PostService(db)
    created = await make(service, 0, user)
    assert repr(created) == f"<Post id={created.id}>"
    assert await service.get(created.id, user_id=user.id) is created
    assert await service.count(user_id=user.id) >= 1
    assert created in await service.get_multi(skip=0, limit=100, user_id=user.id)
    replacement = PostCreate.model_validate(VALID[1]).title
    changed = await service.update(created.id, {"title": replacement}, user_id=user.id)
    assert changed is not None
    assert changed.title == replacement
    assert await service.delete(created.id, user_id=user.id)
    assert await service.get(created.id, user_id=user.id) is None
    assert not await service.delete(created.id, user_id=user.id)
    assert await service.update(created.id, {}, user_id=user.id) is None


async def test_rows_are_scoped_to_their_owner(
    db: AsyncSession, user: User, other_user: User
) -> None:
    service = PostService(db)
    created = await make(service, 0, user)
    assert await service.get(created.id, user_id=other_user.id) is None
    assert await service.update(created.id, {}, user_id=other_user.id) is None
    assert not await service.delete(created.id, user_id=other_user.id)
    assert await service.get_multi(skip=0, limit=10, user_id=other_user.id) == []
    assert await service.count(user_id=other_user.id) == 0


async def test_a_duplicate_raises_conflict(db: AsyncSession, user: User) -> None:
    service = PostService(db)
    await make(service, 0, user)
    duplicate = {**VALID[1], "slug": VALID[0]["slug"]}
    with pytest.raises(ConflictError, match="slug"):
        await service.create(PostCreate.model_validate(duplicate), user_id=user.id)
