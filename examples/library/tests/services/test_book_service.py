from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import ConflictError
from app.models import Book, User
from app.schemas.book import BookCreate, BookFilters
from app.services.book_service import BookService
from tests.api.test_books import VALID, payload

pytestmark = pytest.mark.priority_medium
EVERYTHING = BookFilters()


async def make(service: BookService, body: dict[str, Any], user: User) -> Book:
    return await service.create(BookCreate.model_validate(body), actor_id=user.id)


async def test_create_get_update_delete(
    db: AsyncSession, client: AsyncClient, auth_headers: dict[str, str], user: User
) -> None:
    service = BookService(db)
    created = await make(service, await payload(client, auth_headers, 0), user)
    assert repr(created) == f"<Book id={created.id}>"
    assert await service.get(created.id) is created
    assert await service.count(EVERYTHING) >= 1
    assert created in await service.get_multi(
        limit=100, cursor=None, filters=EVERYTHING
    )
    field = "title"
    data = await payload(client, auth_headers, 1)
    replacement = BookCreate.model_validate(data).model_dump()[field]
    changed = await service.update(created.id, {field: replacement}, actor_id=user.id)
    assert changed is not None
    assert getattr(changed, field) == replacement
    assert await service.delete(created.id, actor_id=user.id)
    assert await service.get(created.id) is None
    assert not await service.delete(created.id, actor_id=user.id)
    gone = await service.update(created.id, {}, actor_id=user.id)
    assert gone is None


async def test_relationships_never_load_lazily(
    db: AsyncSession, client: AsyncClient, auth_headers: dict[str, str], user: User
) -> None:
    service = BookService(db)
    created = await make(service, await payload(client, auth_headers, 0), user)
    db.expunge_all()
    fetched = await service.get(created.id)
    assert fetched is not None
    # Not loaded by any query: touching it raises instead of blocking on hidden I/O.
    with pytest.raises(InvalidRequestError, match="lazy='raise'"):
        _ = fetched.shelf


async def test_a_duplicate_raises_conflict(
    db: AsyncSession, client: AsyncClient, auth_headers: dict[str, str], user: User
) -> None:
    service = BookService(db)
    await make(service, await payload(client, auth_headers, 0), user)
    field = "isbn"
    duplicate = {**await payload(client, auth_headers, 1), field: VALID[0][field]}
    with pytest.raises(ConflictError, match=field):
        await make(service, duplicate, user)
