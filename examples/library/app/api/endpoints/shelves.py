from typing import Annotated

from fastapi import APIRouter, Query, status

from app.api.deps import (
    AdminUser,
    CurrentUser,
    Pagination,
    PaginationDep,
    RowId,
    SessionDep,
    forbidden,
    not_found,
)
from app.core.pagination import next_cursor
from app.schemas.common import CONFLICT, FORBIDDEN, MALFORMED, NOT_FOUND, UNAUTHORIZED
from app.schemas.shelf import (
    ShelfCreate,
    ShelfFilters,
    ShelfList,
    ShelfResponse,
    ShelfUpdate,
)
from app.services.shelf_service import ShelfService

router = APIRouter(tags=["shelves"])

PATH = "/shelves"
ITEM = "/shelves/{shelf_id}"
LABEL = "Shelf"


@router.post(
    PATH,
    status_code=status.HTTP_201_CREATED,
    responses={**FORBIDDEN, **MALFORMED, **CONFLICT},
)
async def create_shelf(
    data: ShelfCreate, db: SessionDep, current_user: AdminUser
) -> ShelfResponse:
    """Create a shelf (admins only)."""
    shelf = await ShelfService(db).create(data)
    return ShelfResponse.model_validate(shelf)


@router.get(PATH, responses=FORBIDDEN)
async def list_shelves(
    db: SessionDep,
    page: PaginationDep,
    filters: Annotated[ShelfFilters, Query()],
    current_user: CurrentUser,
) -> ShelfList:
    """List shelves, filtered and sorted (newest first by default)."""
    if filters.include_deleted and not current_user.is_superuser:
        raise forbidden()
    return await _page(ShelfService(db), page, filters)


@router.get(ITEM, responses={**UNAUTHORIZED, **NOT_FOUND})
async def get_shelf(
    shelf_id: RowId, db: SessionDep, current_user: CurrentUser
) -> ShelfResponse:
    """Get one shelf."""
    shelf = await ShelfService(db).get(shelf_id)
    if shelf is None:
        raise not_found(LABEL)
    return ShelfResponse.model_validate(shelf)


@router.put(ITEM, responses={**FORBIDDEN, **MALFORMED, **NOT_FOUND, **CONFLICT})
async def replace_shelf(
    shelf_id: RowId, data: ShelfCreate, db: SessionDep, current_user: AdminUser
) -> ShelfResponse:
    """Replace a shelf: omitted optional fields take their defaults."""
    shelf = await ShelfService(db).update(shelf_id, data.model_dump())
    if shelf is None:
        raise not_found(LABEL)
    return ShelfResponse.model_validate(shelf)


@router.patch(ITEM, responses={**FORBIDDEN, **MALFORMED, **NOT_FOUND, **CONFLICT})
async def update_shelf(
    shelf_id: RowId, data: ShelfUpdate, db: SessionDep, current_user: AdminUser
) -> ShelfResponse:
    """Change only the fields sent."""
    values = data.model_dump(exclude_unset=True)
    shelf = await ShelfService(db).update(shelf_id, values)
    if shelf is None:
        raise not_found(LABEL)
    return ShelfResponse.model_validate(shelf)


@router.delete(
    ITEM, status_code=status.HTTP_204_NO_CONTENT, responses={**FORBIDDEN, **NOT_FOUND}
)
async def delete_shelf(
    shelf_id: RowId, db: SessionDep, current_user: AdminUser
) -> None:
    """Delete a shelf: it is kept, marked deleted, and an admin may restore it."""
    if not await ShelfService(db).delete(shelf_id):
        raise not_found(LABEL)


@router.post(ITEM + "/restore", responses={**FORBIDDEN, **NOT_FOUND, **CONFLICT})
async def restore_shelf(
    shelf_id: RowId, db: SessionDep, current_user: AdminUser
) -> ShelfResponse:
    """Bring back a deleted shelf (admins only)."""
    shelf = await ShelfService(db).restore(shelf_id)
    if shelf is None:
        raise not_found("Deleted shelf")
    return ShelfResponse.model_validate(shelf)


async def _page(
    service: ShelfService, page: Pagination, filters: ShelfFilters
) -> ShelfList:
    # One row more than the page: whether there is a next page, without a count.
    rows = await service.get_multi(
        limit=page.limit + 1, cursor=page.cursor, filters=filters
    )
    items = rows[: page.limit]
    more = len(rows) > page.limit
    return ShelfList(
        items=[ShelfResponse.model_validate(item) for item in items],
        next=next_cursor(items[-1], filters.sort) if more else None,
        total=await service.count(filters) if page.total else None,
    )
