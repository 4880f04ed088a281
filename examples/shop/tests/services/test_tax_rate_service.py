from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import ConflictError
from app.models import TaxRate
from app.schemas.tax_rate import TaxRateCreate, TaxRateFilters
from app.services.tax_rate_service import TaxRateService
from tests.api.test_tax_rates import VALID, payload

pytestmark = pytest.mark.priority_critical
EVERYTHING = TaxRateFilters()


async def make(service: TaxRateService, body: dict[str, Any]) -> TaxRate:
    return await service.create(TaxRateCreate.model_validate(body))


async def test_create_get_update_delete(
    db: AsyncSession, client: AsyncClient, auth_headers: dict[str, str]
) -> None:
    service = TaxRateService(db)
    created = await make(service, await payload(client, auth_headers, 0))
    assert repr(created) == f"<TaxRate id={created.id}>"
    assert await service.get(created.id) is created
    assert await service.count(EVERYTHING) >= 1
    assert created in await service.get_multi(
        limit=100, cursor=None, filters=EVERYTHING
    )
    field = "code"
    data = await payload(client, auth_headers, 1)
    replacement = TaxRateCreate.model_validate(data).model_dump()[field]
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
    service = TaxRateService(db)
    await make(service, await payload(client, auth_headers, 0))
    field = "code"
    duplicate = {**await payload(client, auth_headers, 1), field: VALID[0][field]}
    with pytest.raises(ConflictError, match=field):
        await make(service, duplicate)
