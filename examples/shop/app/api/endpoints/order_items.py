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
from app.schemas.common import CONFLICT, MALFORMED, NOT_FOUND, UNAUTHORIZED
from app.schemas.order_item import (
    OrderItemCreate,
    OrderItemFilters,
    OrderItemList,
    OrderItemResponse,
    OrderItemUpdate,
)
from app.services.order_item_service import OrderItemService

router = APIRouter(tags=["order-items"])

PATH = "/order-items"
ITEM = "/order-items/{order_item_id}"
LABEL = "Order item"


@router.post(
    PATH,
    status_code=status.HTTP_201_CREATED,
    responses={**UNAUTHORIZED, **MALFORMED, **CONFLICT},
)
async def create_order_item(
    data: OrderItemCreate, db: SessionDep, current_user: CurrentUser
) -> OrderItemResponse:
    """Create a order item owned by the signed-in user."""
    order_item = await OrderItemService(db).create(
        data, user_id=current_user.id, reader=owner_scope(current_user)
    )
    return OrderItemResponse.model_validate(order_item)


@router.get(PATH, responses=UNAUTHORIZED)
async def list_order_items(
    db: SessionDep,
    page: PaginationDep,
    filters: Annotated[OrderItemFilters, Query()],
    current_user: CurrentUser,
) -> OrderItemList:
    """List the signed-in user's order items, filtered and sorted (newest first by default)."""
    return await _page(
        OrderItemService(db), page, filters, user_id=owner_scope(current_user)
    )


@router.get("/orders/{order_id}/order-items", responses={**UNAUTHORIZED, **NOT_FOUND})
async def list_order_order_items(
    order_id: RowId, db: SessionDep, page: PaginationDep, current_user: CurrentUser
) -> OrderItemList:
    """List the order items whose order is this order, newest first."""
    service = OrderItemService(db)
    if not await service.order_exists(order_id, user_id=owner_scope(current_user)):
        raise not_found("Order")
    filters = OrderItemFilters(order_id=order_id)
    return await _page(service, page, filters, user_id=owner_scope(current_user))


@router.get(
    "/products/{product_id}/order-items", responses={**UNAUTHORIZED, **NOT_FOUND}
)
async def list_product_order_items(
    product_id: RowId, db: SessionDep, page: PaginationDep, current_user: CurrentUser
) -> OrderItemList:
    """List the order items whose product is this product, newest first."""
    service = OrderItemService(db)
    if not await service.product_exists(product_id, user_id=owner_scope(current_user)):
        raise not_found("Product")
    filters = OrderItemFilters(product_id=product_id)
    return await _page(service, page, filters, user_id=owner_scope(current_user))


@router.get(ITEM, responses={**UNAUTHORIZED, **NOT_FOUND})
async def get_order_item(
    order_item_id: RowId, db: SessionDep, current_user: CurrentUser
) -> OrderItemResponse:
    """Get one order item."""
    order_item = await OrderItemService(db).get(
        order_item_id, user_id=owner_scope(current_user)
    )
    if order_item is None:
        raise not_found(LABEL)
    return OrderItemResponse.model_validate(order_item)


@router.put(ITEM, responses={**UNAUTHORIZED, **MALFORMED, **NOT_FOUND, **CONFLICT})
async def replace_order_item(
    order_item_id: RowId,
    data: OrderItemCreate,
    db: SessionDep,
    current_user: CurrentUser,
) -> OrderItemResponse:
    """Replace a order item: omitted optional fields take their defaults."""
    order_item = await OrderItemService(db).update(
        order_item_id,
        data.model_dump(),
        user_id=owner_scope(current_user),
        reader=owner_scope(current_user),
    )
    if order_item is None:
        raise not_found(LABEL)
    return OrderItemResponse.model_validate(order_item)


@router.patch(ITEM, responses={**UNAUTHORIZED, **MALFORMED, **NOT_FOUND, **CONFLICT})
async def update_order_item(
    order_item_id: RowId,
    data: OrderItemUpdate,
    db: SessionDep,
    current_user: CurrentUser,
) -> OrderItemResponse:
    """Change only the fields sent."""
    values = data.model_dump(exclude_unset=True)
    order_item = await OrderItemService(db).update(
        order_item_id,
        values,
        user_id=owner_scope(current_user),
        reader=owner_scope(current_user),
    )
    if order_item is None:
        raise not_found(LABEL)
    return OrderItemResponse.model_validate(order_item)


@router.delete(
    ITEM,
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**UNAUTHORIZED, **NOT_FOUND},
)
async def delete_order_item(
    order_item_id: RowId, db: SessionDep, current_user: CurrentUser
) -> None:
    """Delete a order item."""
    if not await OrderItemService(db).delete(
        order_item_id, user_id=owner_scope(current_user)
    ):
        raise not_found(LABEL)


async def _page(
    service: OrderItemService,
    page: Pagination,
    filters: OrderItemFilters,
    user_id: int | None,
) -> OrderItemList:
    # One row more than the page: whether there is a next page, without a count.
    rows = await service.get_multi(
        limit=page.limit + 1, cursor=page.cursor, filters=filters, user_id=user_id
    )
    items = rows[: page.limit]
    more = len(rows) > page.limit
    return OrderItemList(
        items=[OrderItemResponse.model_validate(item) for item in items],
        next=next_cursor(items[-1], filters.sort) if more else None,
        total=await service.count(filters, user_id=user_id) if page.total else None,
    )
