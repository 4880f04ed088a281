from fastapi import APIRouter, status

from app.api.deps import CurrentUser, PaginationDep, RowId, SessionDep, not_found
from app.schemas.common import CONFLICT, MALFORMED, NOT_FOUND, UNAUTHORIZED
from app.schemas.product import (
    ProductCreate,
    ProductList,
    ProductResponse,
    ProductUpdate,
)
from app.services.product_service import ProductService

router = APIRouter(prefix="/products", tags=["products"], responses=UNAUTHORIZED)

LABEL = "Product"


@router.post(
    "", status_code=status.HTTP_201_CREATED, responses={**MALFORMED, **CONFLICT}
)
async def create_product(
    data: ProductCreate, db: SessionDep, current_user: CurrentUser
) -> ProductResponse:
    """Create a product owned by the signed-in user."""
    product = await ProductService(db).create(data, user_id=current_user.id)
    return ProductResponse.model_validate(product)


@router.get("")
async def list_products(
    db: SessionDep, current_user: CurrentUser, page: PaginationDep
) -> ProductList:
    """List the signed-in user's products, newest first."""
    service = ProductService(db)
    items = await service.get_multi(
        skip=page.skip, limit=page.limit, user_id=current_user.id
    )
    total = await service.count(user_id=current_user.id)
    return ProductList(
        items=[ProductResponse.model_validate(item) for item in items],
        total=total,
        page=page.page,
        size=page.limit,
    )


@router.get("/{product_id}", responses=NOT_FOUND)
async def get_product(
    product_id: RowId, db: SessionDep, current_user: CurrentUser
) -> ProductResponse:
    """Get one product."""
    product = await ProductService(db).get(product_id, user_id=current_user.id)
    if product is None:
        raise not_found(LABEL)
    return ProductResponse.model_validate(product)


@router.put("/{product_id}", responses={**MALFORMED, **NOT_FOUND, **CONFLICT})
async def replace_product(
    product_id: RowId, data: ProductCreate, db: SessionDep, current_user: CurrentUser
) -> ProductResponse:
    """Replace a product: omitted optional fields take their defaults."""
    product = await ProductService(db).update(
        product_id, data.model_dump(), user_id=current_user.id
    )
    if product is None:
        raise not_found(LABEL)
    return ProductResponse.model_validate(product)


@router.patch("/{product_id}", responses={**MALFORMED, **NOT_FOUND, **CONFLICT})
async def update_product(
    product_id: RowId, data: ProductUpdate, db: SessionDep, current_user: CurrentUser
) -> ProductResponse:
    """Change only the fields sent."""
    values = data.model_dump(exclude_unset=True)
    product = await ProductService(db).update(
        product_id, values, user_id=current_user.id
    )
    if product is None:
        raise not_found(LABEL)
    return ProductResponse.model_validate(product)


@router.delete(
    "/{product_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND
)
async def delete_product(
    product_id: RowId, db: SessionDep, current_user: CurrentUser
) -> None:
    """Delete a product."""
    if not await ProductService(db).delete(product_id, user_id=current_user.id):
        raise not_found(LABEL)
