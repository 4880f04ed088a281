from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import ConflictError
from app.models import Shelf
from app.schemas.shelf import ShelfCreate, ShelfFilters
from app.services.shelf_service import ShelfService
from tests.api.test_shelves import VALID, payload

pytestmark = pytest.mark.priority_medium
EVERYTHING = ShelfFilters()


async def make(service: ShelfService, body: dict[str, Any]) -> Shelf:
    return await service.create(ShelfCreate.model_validate(body))


async def test_create_get_update_delete(
    db: AsyncSession, client: AsyncClient, auth_headers: dict[str, str]
) -> None:
    service = ShelfService(db)
    created = await make(service, await payload(client, auth_headers, 0))
    assert repr(created) == f"<Shelf id={created.id}>"
    assert await service.get(created.id) is created
    assert await service.count(EVERYTHING) >= 1
    assert created in await service.get_multi(
        limit=100, cursor=None, filters=EVERYTHING
    )
    field = "name"
    data = await payload(client, auth_headers, 1)
    replacement = ShelfCreate.model_validate(data).model_dump()[field]
    changed = await service.update(created.id, {field: replacement})
    assert changed is not None
    assert getattr(changed, field) == replacement
    assert await service.delete(created.id)
    assert await service.get(created.id) is None
    assert not await service.delete(created.id)
    gone = await service.update(created.id, {})
    assert gone is None


async def test_a_duplicate_raises_conflict(
    db: AsyncSession, client: AsyncClient, auth_headers: dict[str, str]
) -> None:
    service = ShelfService(db)
    await make(service, await payload(client, auth_headers, 0))
    field = "name"
    duplicate = {**await payload(client, auth_headers, 1), field: VALID[0][field]}
    with pytest.raises(ConflictError, match=field):
        await make(service, duplicate)
