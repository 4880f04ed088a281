from typing import Annotated

from fastapi import APIRouter, Query, status

from app.api.deps import (
    AdminUser,
    CurrentUser,
    Pagination,
    PaginationDep,
    RowId,
    SessionDep,
    not_found,
)
from app.core.pagination import next_cursor
from app.schemas.common import CONFLICT, FORBIDDEN, MALFORMED, NOT_FOUND, UNAUTHORIZED
from app.schemas.tax_rate import (
    TaxRateCreate,
    TaxRateFilters,
    TaxRateList,
    TaxRateResponse,
    TaxRateUpdate,
)
from app.services.tax_rate_service import TaxRateService

router = APIRouter(tags=["tax-rates"])

PATH = "/tax-rates"
ITEM = "/tax-rates/{tax_rate_id}"
LABEL = "Tax rate"


@router.post(
    PATH,
    status_code=status.HTTP_201_CREATED,
    responses={**FORBIDDEN, **MALFORMED, **CONFLICT},
)
async def create_tax_rate(
    data: TaxRateCreate, db: SessionDep, current_user: AdminUser
) -> TaxRateResponse:
    """Create a tax rate (admins only)."""
    tax_rate = await TaxRateService(db).create(data)
    return TaxRateResponse.model_validate(tax_rate)


@router.get(PATH, responses=UNAUTHORIZED)
async def list_tax_rates(
    db: SessionDep,
    page: PaginationDep,
    filters: Annotated[TaxRateFilters, Query()],
    current_user: CurrentUser,
) -> TaxRateList:
    """List tax rates, filtered and sorted (newest first by default)."""
    return await _page(TaxRateService(db), page, filters)


@router.get(ITEM, responses={**UNAUTHORIZED, **NOT_FOUND})
async def get_tax_rate(
    tax_rate_id: RowId, db: SessionDep, current_user: CurrentUser
) -> TaxRateResponse:
    """Get one tax rate."""
    tax_rate = await TaxRateService(db).get(tax_rate_id)
    if tax_rate is None:
        raise not_found(LABEL)
    return TaxRateResponse.model_validate(tax_rate)


@router.put(ITEM, responses={**FORBIDDEN, **MALFORMED, **NOT_FOUND, **CONFLICT})
async def replace_tax_rate(
    tax_rate_id: RowId, data: TaxRateCreate, db: SessionDep, current_user: AdminUser
) -> TaxRateResponse:
    """Replace a tax rate: omitted optional fields take their defaults."""
    tax_rate = await TaxRateService(db).update(tax_rate_id, data.model_dump())
    if tax_rate is None:
        raise not_found(LABEL)
    return TaxRateResponse.model_validate(tax_rate)


@router.patch(ITEM, responses={**FORBIDDEN, **MALFORMED, **NOT_FOUND, **CONFLICT})
async def update_tax_rate(
    tax_rate_id: RowId, data: TaxRateUpdate, db: SessionDep, current_user: AdminUser
) -> TaxRateResponse:
    """Change only the fields sent."""
    values = data.model_dump(exclude_unset=True)
    tax_rate = await TaxRateService(db).update(tax_rate_id, values)
    if tax_rate is None:
        raise not_found(LABEL)
    return TaxRateResponse.model_validate(tax_rate)


@router.delete(
    ITEM, status_code=status.HTTP_204_NO_CONTENT, responses={**FORBIDDEN, **NOT_FOUND}
)
async def delete_tax_rate(
    tax_rate_id: RowId, db: SessionDep, current_user: AdminUser
) -> None:
    """Delete a tax rate."""
    if not await TaxRateService(db).delete(tax_rate_id):
        raise not_found(LABEL)


async def _page(
    service: TaxRateService, page: Pagination, filters: TaxRateFilters
) -> TaxRateList:
    # One row more than the page: whether there is a next page, without a count.
    rows = await service.get_multi(
        limit=page.limit + 1, cursor=page.cursor, filters=filters
    )
    items = rows[: page.limit]
    more = len(rows) > page.limit
    return TaxRateList(
        items=[TaxRateResponse.model_validate(item) for item in items],
        next=next_cursor(items[-1], filters.sort) if more else None,
        total=await service.count(filters) if page.total else None,
    )
