from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Review, User
from app.schemas.review import ReviewCreate, ReviewFilters
from app.services.review_service import ReviewService
from tests.api.test_reviews import payload

pytestmark = pytest.mark.priority_medium
EVERYTHING = ReviewFilters()


async def make(service: ReviewService, body: dict[str, Any], user: User) -> Review:
    return await service.create(
        ReviewCreate.model_validate(body), user_id=user.id, actor_id=user.id
    )


async def test_create_get_update_delete(
    db: AsyncSession, client: AsyncClient, auth_headers: dict[str, str], user: User
) -> None:
    service = ReviewService(db)
    created = await make(service, await payload(client, auth_headers, 0), user)
    assert repr(created) == f"<Review id={created.id}>"
    assert await service.get(created.id, user_id=user.id) is created
    assert await service.count(EVERYTHING, user_id=user.id) >= 1
    assert created in await service.get_multi(
        limit=100, cursor=None, filters=EVERYTHING, user_id=user.id
    )
    field = "book_id"
    data = await payload(client, auth_headers, 1)
    replacement = ReviewCreate.model_validate(data).model_dump()[field]
    changed = await service.update(
        created.id, {field: replacement}, user_id=user.id, actor_id=user.id
    )
    assert changed is not None
    assert getattr(changed, field) == replacement
    assert await service.delete(created.id, user_id=user.id, actor_id=user.id)
    assert await service.get(created.id, user_id=user.id) is None
    assert not await service.delete(created.id, user_id=user.id, actor_id=user.id)
    gone = await service.update(created.id, {}, user_id=user.id, actor_id=user.id)
    assert gone is None


async def test_relationships_never_load_lazily(
    db: AsyncSession, client: AsyncClient, auth_headers: dict[str, str], user: User
) -> None:
    service = ReviewService(db)
    created = await make(service, await payload(client, auth_headers, 0), user)
    db.expunge_all()
    fetched = await service.get(created.id, user_id=user.id)
    assert fetched is not None
    # Not loaded by any query: touching it raises instead of blocking on hidden I/O.
    with pytest.raises(InvalidRequestError, match="lazy='raise'"):
        _ = fetched.book


async def test_rows_are_scoped_to_their_owner(
    db: AsyncSession,
    client: AsyncClient,
    auth_headers: dict[str, str],
    user: User,
    other_user: User,
) -> None:
    service = ReviewService(db)
    created = await make(service, await payload(client, auth_headers, 0), user)
    assert await service.get(created.id, user_id=other_user.id) is None
    theirs = await service.update(
        created.id, {}, user_id=other_user.id, actor_id=user.id
    )
    assert theirs is None
    assert not await service.delete(created.id, user_id=other_user.id, actor_id=user.id)
    rows = await service.get_multi(
        limit=10, cursor=None, filters=EVERYTHING, user_id=other_user.id
    )
    assert rows == []
    assert await service.count(EVERYTHING, user_id=other_user.id) == 0
