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
from app.schemas.customer import (
    CustomerCreate,
    CustomerFilters,
    CustomerList,
    CustomerResponse,
    CustomerUpdate,
)
from app.services.customer_service import CustomerService

router = APIRouter(tags=["customers"])

PATH = "/customers"
ITEM = "/customers/{customer_id}"
LABEL = "Customer"


@router.post(
    PATH,
    status_code=status.HTTP_201_CREATED,
    responses={**UNAUTHORIZED, **MALFORMED, **CONFLICT},
)
async def create_customer(
    data: CustomerCreate, db: SessionDep, current_user: CurrentUser
) -> CustomerResponse:
    """Create a customer owned by the signed-in user."""
    customer = await CustomerService(db).create(data, user_id=current_user.id)
    return CustomerResponse.model_validate(customer)


@router.get(PATH, responses=UNAUTHORIZED)
async def list_customers(
    db: SessionDep,
    page: PaginationDep,
    filters: Annotated[CustomerFilters, Query()],
    current_user: CurrentUser,
) -> CustomerList:
    """List the signed-in user's customers, filtered and sorted (newest first by default)."""
    return await _page(
        CustomerService(db), page, filters, user_id=owner_scope(current_user)
    )


@router.get(ITEM, responses={**UNAUTHORIZED, **NOT_FOUND})
async def get_customer(
    customer_id: RowId, db: SessionDep, current_user: CurrentUser
) -> CustomerResponse:
    """Get one customer."""
    customer = await CustomerService(db).get(
        customer_id, user_id=owner_scope(current_user)
    )
    if customer is None:
        raise not_found(LABEL)
    return CustomerResponse.model_validate(customer)


@router.put(ITEM, responses={**UNAUTHORIZED, **MALFORMED, **NOT_FOUND, **CONFLICT})
async def replace_customer(
    customer_id: RowId, data: CustomerCreate, db: SessionDep, current_user: CurrentUser
) -> CustomerResponse:
    """Replace a customer: omitted optional fields take their defaults."""
    customer = await CustomerService(db).update(
        customer_id, data.model_dump(), user_id=owner_scope(current_user)
    )
    if customer is None:
        raise not_found(LABEL)
    return CustomerResponse.model_validate(customer)


@router.patch(ITEM, responses={**UNAUTHORIZED, **MALFORMED, **NOT_FOUND, **CONFLICT})
async def update_customer(
    customer_id: RowId, data: CustomerUpdate, db: SessionDep, current_user: CurrentUser
) -> CustomerResponse:
    """Change only the fields sent."""
    values = data.model_dump(exclude_unset=True)
    customer = await CustomerService(db).update(
        customer_id, values, user_id=owner_scope(current_user)
    )
    if customer is None:
        raise not_found(LABEL)
    return CustomerResponse.model_validate(customer)


@router.delete(
    ITEM,
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**UNAUTHORIZED, **NOT_FOUND, **REFERENCED},
)
async def delete_customer(
    customer_id: RowId, db: SessionDep, current_user: CurrentUser
) -> None:
    """Delete a customer."""
    if not await CustomerService(db).delete(
        customer_id, user_id=owner_scope(current_user)
    ):
        raise not_found(LABEL)


async def _page(
    service: CustomerService,
    page: Pagination,
    filters: CustomerFilters,
    user_id: int | None,
) -> CustomerList:
    # One row more than the page: whether there is a next page, without a count.
    rows = await service.get_multi(
        limit=page.limit + 1, cursor=page.cursor, filters=filters, user_id=user_id
    )
    items = rows[: page.limit]
    more = len(rows) > page.limit
    return CustomerList(
        items=[CustomerResponse.model_validate(item) for item in items],
        next=next_cursor(items[-1], filters.sort) if more else None,
        total=await service.count(filters, user_id=user_id) if page.total else None,
    )
