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
from app.schemas.order import (
    OrderCreate,
    OrderFilters,
    OrderList,
    OrderResponse,
    OrderUpdate,
)
from app.services.order_service import OrderService

router = APIRouter(tags=["orders"])

PATH = "/orders"
ITEM = "/orders/{order_id}"
LABEL = "Order"


@router.post(
    PATH,
    status_code=status.HTTP_201_CREATED,
    responses={**UNAUTHORIZED, **MALFORMED, **CONFLICT},
)
async def create_order(
    data: OrderCreate, db: SessionDep, current_user: CurrentUser
) -> OrderResponse:
    """Create a order owned by the signed-in user."""
    order = await OrderService(db).create(
        data, user_id=current_user.id, reader=owner_scope(current_user)
    )
    return OrderResponse.model_validate(order)


@router.get(PATH, responses=UNAUTHORIZED)
async def list_orders(
    db: SessionDep,
    page: PaginationDep,
    filters: Annotated[OrderFilters, Query()],
    current_user: CurrentUser,
) -> OrderList:
    """List the signed-in user's orders, filtered and sorted (newest first by default)."""
    return await _page(
        OrderService(db), page, filters, user_id=owner_scope(current_user)
    )


@router.get("/customers/{customer_id}/orders", responses={**UNAUTHORIZED, **NOT_FOUND})
async def list_customer_orders(
    customer_id: RowId, db: SessionDep, page: PaginationDep, current_user: CurrentUser
) -> OrderList:
    """List the orders whose customer is this customer, newest first."""
    service = OrderService(db)
    if not await service.customer_exists(
        customer_id, user_id=owner_scope(current_user)
    ):
        raise not_found("Customer")
    filters = OrderFilters(customer_id=customer_id)
    return await _page(service, page, filters, user_id=owner_scope(current_user))


@router.get(ITEM, responses={**UNAUTHORIZED, **NOT_FOUND})
async def get_order(
    order_id: RowId, db: SessionDep, current_user: CurrentUser
) -> OrderResponse:
    """Get one order."""
    order = await OrderService(db).get(order_id, user_id=owner_scope(current_user))
    if order is None:
        raise not_found(LABEL)
    return OrderResponse.model_validate(order)


@router.put(ITEM, responses={**UNAUTHORIZED, **MALFORMED, **NOT_FOUND, **CONFLICT})
async def replace_order(
    order_id: RowId, data: OrderCreate, db: SessionDep, current_user: CurrentUser
) -> OrderResponse:
    """Replace a order: omitted optional fields take their defaults."""
    order = await OrderService(db).update(
        order_id,
        data.model_dump(),
        user_id=owner_scope(current_user),
        reader=owner_scope(current_user),
    )
    if order is None:
        raise not_found(LABEL)
    return OrderResponse.model_validate(order)


@router.patch(ITEM, responses={**UNAUTHORIZED, **MALFORMED, **NOT_FOUND, **CONFLICT})
async def update_order(
    order_id: RowId, data: OrderUpdate, db: SessionDep, current_user: CurrentUser
) -> OrderResponse:
    """Change only the fields sent."""
    values = data.model_dump(exclude_unset=True)
    order = await OrderService(db).update(
        order_id,
        values,
        user_id=owner_scope(current_user),
        reader=owner_scope(current_user),
    )
    if order is None:
        raise not_found(LABEL)
    return OrderResponse.model_validate(order)


@router.delete(
    ITEM,
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**UNAUTHORIZED, **NOT_FOUND},
)
async def delete_order(
    order_id: RowId, db: SessionDep, current_user: CurrentUser
) -> None:
    """Delete a order."""
    if not await OrderService(db).delete(order_id, user_id=owner_scope(current_user)):
        raise not_found(LABEL)


async def _page(
    service: OrderService, page: Pagination, filters: OrderFilters, user_id: int | None
) -> OrderList:
    # One row more than the page: whether there is a next page, without a count.
    rows = await service.get_multi(
        limit=page.limit + 1, cursor=page.cursor, filters=filters, user_id=user_id
    )
    items = rows[: page.limit]
    more = len(rows) > page.limit
    return OrderList(
        items=[OrderResponse.model_validate(item) for item in items],
        next=next_cursor(items[-1], filters.sort) if more else None,
        total=await service.count(filters, user_id=user_id) if page.total else None,
    )
