import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import ConflictError
from app.models import Product, User
from app.schemas.product import ProductCreate
from app.services.product_service import ProductService
from tests.api.test_products import VALID

pytestmark = pytest.mark.priority_critical


async def make(service: ProductService, index: int, user: User) -> Product:
    return await service.create(
        ProductCreate.model_validate(VALID[index]), user_id=user.id
    )


async def test_create_get_update_delete(db: AsyncSession, user: User) -> None:
    service = ProductService(db)
    created = await make(service, 0, user)
    assert repr(created) == f"<Product id={created.id}>"
    assert await service.get(created.id, user_id=user.id) is created
    assert await service.count(user_id=user.id) >= 1
    assert created in await service.get_multi(skip=0, limit=100, user_id=user.id)
    replacement = ProductCreate.model_validate(VALID[1]).name
    changed = await service.update(created.id, {"name": replacement}, user_id=user.id)
    assert changed is not None
    assert changed.name == replacement
    assert await service.delete(created.id, user_id=user.id)
    assert await service.get(created.id, user_id=user.id) is None
    assert not await service.delete(created.id, user_id=user.id)
    assert await service.update(created.id, {}, user_id=user.id) is None


async def test_rows_are_scoped_to_their_owner(
    db: AsyncSession, user: User, other_user: User
) -> None:
    service = ProductService(db)
    created = await make(service, 0, user)
    assert await service.get(created.id, user_id=other_user.id) is None
    assert await service.update(created.id, {}, user_id=other_user.id) is None
    assert not await service.delete(created.id, user_id=other_user.id)
    assert await service.get_multi(skip=0, limit=10, user_id=other_user.id) == []
    assert await service.count(user_id=other_user.id) == 0


async def test_a_duplicate_raises_conflict(db: AsyncSession, user: User) -> None:
    service = ProductService(db)
    await make(service, 0, user)
    duplicate = {**VALID[1], "sku": VALID[0]["sku"]}
    with pytest.raises(ConflictError, match="sku"):
        await service.create(ProductCreate.model_validate(duplicate), user_id=user.id)
