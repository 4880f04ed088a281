from typing import Annotated

from fastapi import APIRouter, Query, status

from app.api.deps import (
    CurrentUser,
    Pagination,
    PaginationDep,
    RowId,
    SessionDep,
    not_found,
    owner_scope,
)
from app.core.pagination import next_cursor
from app.schemas.common import CONFLICT, MALFORMED, NOT_FOUND, REFERENCED, UNAUTHORIZED
from app.schemas.product import (
    ProductCreate,
    ProductFilters,
    ProductList,
    ProductResponse,
    ProductUpdate,
)
from app.services.product_service import ProductService

router = APIRouter(tags=["products"])

PATH = "/products"
ITEM = "/products/{product_id}"
LABEL = "Product"


@router.post(
    PATH,
    status_code=status.HTTP_201_CREATED,
    responses={**UNAUTHORIZED, **MALFORMED, **CONFLICT},
)
async def create_product(
    data: ProductCreate, db: SessionDep, current_user: CurrentUser
) -> ProductResponse:
    """Create a product owned by the signed-in user."""
    product = await ProductService(db).create(data, user_id=current_user.id)
    return ProductResponse.model_validate(product)


@router.get(PATH, responses=UNAUTHORIZED)
async def list_products(
    db: SessionDep,
    page: PaginationDep,
    filters: Annotated[ProductFilters, Query()],
    current_user: CurrentUser,
) -> ProductList:
    """List the signed-in user's products, filtered and sorted (newest first by default)."""
    return await _page(
        ProductService(db), page, filters, user_id=owner_scope(current_user)
    )


@router.get(
    "/tax-rates/{tax_rate_id}/products", responses={**UNAUTHORIZED, **NOT_FOUND}
)
async def list_tax_rate_products(
    tax_rate_id: RowId, db: SessionDep, page: PaginationDep, current_user: CurrentUser
) -> ProductList:
    """List the products whose tax rate is this tax rate, newest first."""
    service = ProductService(db)
    if not await service.tax_rate_exists(tax_rate_id):
        raise not_found("Tax rate")
    filters = ProductFilters(tax_rate_id=tax_rate_id)
    return await _page(service, page, filters, user_id=owner_scope(current_user))


@router.get(ITEM, responses={**UNAUTHORIZED, **NOT_FOUND})
async def get_product(
    product_id: RowId, db: SessionDep, current_user: CurrentUser
) -> ProductResponse:
    """Get one product."""
    product = await ProductService(db).get(
        product_id, user_id=owner_scope(current_user)
    )
    if product is None:
        raise not_found(LABEL)
    return ProductResponse.model_validate(product)


@router.put(ITEM, responses={**UNAUTHORIZED, **MALFORMED, **NOT_FOUND, **CONFLICT})
async def replace_product(
    product_id: RowId, data: ProductCreate, db: SessionDep, current_user: CurrentUser
) -> ProductResponse:
    """Replace a product: omitted optional fields take their defaults."""
    product = await ProductService(db).update(
        product_id, data.model_dump(), user_id=owner_scope(current_user)
    )
    if product is None:
        raise not_found(LABEL)
    return ProductResponse.model_validate(product)


@router.patch(ITEM, responses={**UNAUTHORIZED, **MALFORMED, **NOT_FOUND, **CONFLICT})
async def update_product(
    product_id: RowId, data: ProductUpdate, db: SessionDep, current_user: CurrentUser
) -> ProductResponse:
    """Change only the fields sent."""
    values = data.model_dump(exclude_unset=True)
    product = await ProductService(db).update(
        product_id, values, user_id=owner_scope(current_user)
    )
    if product is None:
        raise not_found(LABEL)
    return ProductResponse.model_validate(product)


@router.delete(
    ITEM,
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**UNAUTHORIZED, **NOT_FOUND, **REFERENCED},
)
async def delete_product(
    product_id: RowId, db: SessionDep, current_user: CurrentUser
) -> None:
    """Delete a product."""
    if not await ProductService(db).delete(
        product_id, user_id=owner_scope(current_user)
    ):
        raise not_found(LABEL)


async def _page(
    service: ProductService,
    page: Pagination,
    filters: ProductFilters,
    user_id: int | None,
) -> ProductList:
    # One row more than the page: whether there is a next page, without a count.
    rows = await service.get_multi(
        limit=page.limit + 1, cursor=page.cursor, filters=filters, user_id=user_id
    )
    items = rows[: page.limit]
    more = len(rows) > page.limit
    return ProductList(
        items=[ProductResponse.model_validate(item) for item in items],
        next=next_cursor(items[-1], filters.sort) if more else None,
        total=await service.count(filters, user_id=user_id) if page.total else None,
    )
