from typing import Annotated

from fastapi import APIRouter, Query, status

from app.api.deps import (
    CurrentUser,
    Pagination,
    PaginationDep,
    RowId,
    SessionDep,
    not_found,
)
from app.schemas.common import CONFLICT, MALFORMED, NOT_FOUND, UNAUTHORIZED
from app.schemas.tax_rate import (
    TaxRateCreate,
    TaxRateFilters,
    TaxRateList,
    TaxRateResponse,
    TaxRateUpdate,
)
from app.services.tax_rate_service import TaxRateService

router = APIRouter(tags=["tax-rates"], responses=UNAUTHORIZED)

PATH = "/tax-rates"
ITEM = "/tax-rates/{tax_rate_id}"
LABEL = "Tax rate"


@router.post(
    PATH, status_code=status.HTTP_201_CREATED, responses={**MALFORMED, **CONFLICT}
)
async def create_tax_rate(
    data: TaxRateCreate, db: SessionDep, current_user: CurrentUser
) -> TaxRateResponse:
    """Create a tax rate."""
    tax_rate = await TaxRateService(db).create(data)
    return TaxRateResponse.model_validate(tax_rate)


@router.get(PATH)
async def list_tax_rates(
    db: SessionDep,
    current_user: CurrentUser,
    page: PaginationDep,
    filters: Annotated[TaxRateFilters, Query()],
) -> TaxRateList:
    """List tax rates, filtered and sorted (newest first by default)."""
    return await _page(TaxRateService(db), page, filters)


@router.get(ITEM, responses=NOT_FOUND)
async def get_tax_rate(
    tax_rate_id: RowId, db: SessionDep, current_user: CurrentUser
) -> TaxRateResponse:
    """Get one tax rate."""
    tax_rate = await TaxRateService(db).get(tax_rate_id)
    if tax_rate is None:
        raise not_found(LABEL)
    return TaxRateResponse.model_validate(tax_rate)


@router.put(ITEM, responses={**MALFORMED, **NOT_FOUND, **CONFLICT})
async def replace_tax_rate(
    tax_rate_id: RowId, data: TaxRateCreate, db: SessionDep, current_user: CurrentUser
) -> TaxRateResponse:
    """Replace a tax rate: omitted optional fields take their defaults."""
    tax_rate = await TaxRateService(db).update(tax_rate_id, data.model_dump())
    if tax_rate is None:
        raise not_found(LABEL)
    return TaxRateResponse.model_validate(tax_rate)


@router.patch(ITEM, responses={**MALFORMED, **NOT_FOUND, **CONFLICT})
async def update_tax_rate(
    tax_rate_id: RowId, data: TaxRateUpdate, db: SessionDep, current_user: CurrentUser
) -> TaxRateResponse:
    """Change only the fields sent."""
    values = data.model_dump(exclude_unset=True)
    tax_rate = await TaxRateService(db).update(tax_rate_id, values)
    if tax_rate is None:
        raise not_found(LABEL)
    return TaxRateResponse.model_validate(tax_rate)


@router.delete(ITEM, status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
async def delete_tax_rate(
    tax_rate_id: RowId, db: SessionDep, current_user: CurrentUser
) -> None:
    """Delete a tax rate."""
    if not await TaxRateService(db).delete(tax_rate_id):
        raise not_found(LABEL)


async def _page(
    service: TaxRateService, page: Pagination, filters: TaxRateFilters
) -> TaxRateList:
    items = await service.get_multi(skip=page.skip, limit=page.limit, filters=filters)
    total = await service.count(filters)
    return TaxRateList(
        items=[TaxRateResponse.model_validate(item) for item in items],
        total=total,
        page=page.page,
        size=page.limit,
    )
