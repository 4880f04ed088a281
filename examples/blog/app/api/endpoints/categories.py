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
from app.schemas.category import (
    CategoryCreate,
    CategoryFilters,
    CategoryList,
    CategoryResponse,
    CategoryUpdate,
)
from app.schemas.common import CONFLICT, MALFORMED, NOT_FOUND, UNAUTHORIZED
from app.services.category_service import CategoryService

router = APIRouter(tags=["categories"])

PATH = "/categories"
ITEM = "/categories/{category_id}"
LABEL = "Category"


@router.post(
    PATH,
    status_code=status.HTTP_201_CREATED,
    responses={**UNAUTHORIZED, **MALFORMED, **CONFLICT},
)
async def create_category(
    data: CategoryCreate, db: SessionDep, current_user: CurrentUser
) -> CategoryResponse:
    """Create a category owned by the signed-in user."""
    category = await CategoryService(db).create(
        data, user_id=current_user.id, reader=owner_scope(current_user)
    )
    return CategoryResponse.model_validate(category)


@router.get(PATH, responses=UNAUTHORIZED)
async def list_categories(
    db: SessionDep,
    page: PaginationDep,
    filters: Annotated[CategoryFilters, Query()],
    current_user: CurrentUser,
) -> CategoryList:
    """List the signed-in user's categories, filtered and sorted (newest first by default)."""
    return await _page(
        CategoryService(db), page, filters, user_id=owner_scope(current_user)
    )


@router.get(
    "/categories/{category_id}/children", responses={**UNAUTHORIZED, **NOT_FOUND}
)
async def list_category_children(
    category_id: RowId, db: SessionDep, page: PaginationDep, current_user: CurrentUser
) -> CategoryList:
    """List the categories whose parent is this category, newest first."""
    service = CategoryService(db)
    if not await service.category_exists(
        category_id, user_id=owner_scope(current_user)
    ):
        raise not_found("Category")
    filters = CategoryFilters(parent_id=category_id)
    return await _page(service, page, filters, user_id=owner_scope(current_user))


@router.get(ITEM, responses={**UNAUTHORIZED, **NOT_FOUND})
async def get_category(
    category_id: RowId, db: SessionDep, current_user: CurrentUser
) -> CategoryResponse:
    """Get one category."""
    category = await CategoryService(db).get(
        category_id, user_id=owner_scope(current_user)
    )
    if category is None:
        raise not_found(LABEL)
    return CategoryResponse.model_validate(category)


@router.put(ITEM, responses={**UNAUTHORIZED, **MALFORMED, **NOT_FOUND, **CONFLICT})
async def replace_category(
    category_id: RowId, data: CategoryCreate, db: SessionDep, current_user: CurrentUser
) -> CategoryResponse:
    """Replace a category: omitted optional fields take their defaults."""
    category = await CategoryService(db).update(
        category_id,
        data.model_dump(),
        user_id=owner_scope(current_user),
        reader=owner_scope(current_user),
    )
    if category is None:
        raise not_found(LABEL)
    return CategoryResponse.model_validate(category)


@router.patch(ITEM, responses={**UNAUTHORIZED, **MALFORMED, **NOT_FOUND, **CONFLICT})
async def update_category(
    category_id: RowId, data: CategoryUpdate, db: SessionDep, current_user: CurrentUser
) -> CategoryResponse:
    """Change only the fields sent."""
    values = data.model_dump(exclude_unset=True)
    category = await CategoryService(db).update(
        category_id,
        values,
        user_id=owner_scope(current_user),
        reader=owner_scope(current_user),
    )
    if category is None:
        raise not_found(LABEL)
    return CategoryResponse.model_validate(category)


@router.delete(
    ITEM,
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**UNAUTHORIZED, **NOT_FOUND},
)
async def delete_category(
    category_id: RowId, db: SessionDep, current_user: CurrentUser
) -> None:
    """Delete a category."""
    if not await CategoryService(db).delete(
        category_id, user_id=owner_scope(current_user)
    ):
        raise not_found(LABEL)


async def _page(
    service: CategoryService,
    page: Pagination,
    filters: CategoryFilters,
    user_id: int | None,
) -> CategoryList:
    # One row more than the page: whether there is a next page, without a count.
    rows = await service.get_multi(
        limit=page.limit + 1, cursor=page.cursor, filters=filters, user_id=user_id
    )
    items = rows[: page.limit]
    more = len(rows) > page.limit
    return CategoryList(
        items=[CategoryResponse.model_validate(item) for item in items],
        next=next_cursor(items[-1], filters.sort) if more else None,
        total=await service.count(filters, user_id=user_id) if page.total else None,
    )
