import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import ConflictError
from app.models import TaxRate
from app.schemas.tax_rate import TaxRateCreate
from app.services.tax_rate_service import TaxRateService
from tests.api.test_tax_rates import VALID

pytestmark = pytest.mark.priority_critical


async def make(service: TaxRateService, index: int) -> TaxRate:
    return await service.create(TaxRateCreate.model_validate(VALID[index]))


async def test_create_get_update_delete(db: AsyncSession) -> None:
    service = TaxRateService(db)
    created = await make(service, 0)
    assert repr(created) == f"<TaxRate id={created.id}>"
    assert await service.get(created.id) is created
    assert await service.count() >= 1
    assert created in await service.get_multi(skip=0, limit=100)
    replacement = TaxRateCreate.model_validate(VALID[1]).code
    changed = await service.update(created.id, {"code": replacement})
    assert changed is not None
    assert changed.code == replacement
    assert await service.delete(created.id)
    assert await service.get(created.id) is None
    assert not await service.delete(created.id)
    assert await service.update(created.id, {}) is None


async def test_a_duplicate_raises_conflict(db: AsyncSession) -> None:
    service = TaxRateService(db)
    await make(service, 0)
    duplicate = {**VALID[1], "code": VALID[0]["code"]}
    with pytest.raises(ConflictError, match="code"):
        await service.create(TaxRateCreate.model_validate(duplicate))
