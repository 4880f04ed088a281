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
from app.schemas.tag import TagCreate, TagFilters, TagList, TagResponse, TagUpdate
from app.services.tag_service import TagService

router = APIRouter(tags=["tags"])

PATH = "/tags"
ITEM = "/tags/{tag_id}"
LABEL = "Tag"


@router.post(
    PATH,
    status_code=status.HTTP_201_CREATED,
    responses={**UNAUTHORIZED, **MALFORMED, **CONFLICT},
)
async def create_tag(
    data: TagCreate, db: SessionDep, current_user: CurrentUser
) -> TagResponse:
    """Create a tag owned by the signed-in user."""
    tag = await TagService(db).create(data, user_id=current_user.id)
    return TagResponse.model_validate(tag)


@router.get(PATH, responses=UNAUTHORIZED)
async def list_tags(
    db: SessionDep,
    page: PaginationDep,
    filters: Annotated[TagFilters, Query()],
    current_user: CurrentUser,
) -> TagList:
    """List the signed-in user's tags, filtered and sorted (newest first by default)."""
    return await _page(TagService(db), page, filters, user_id=owner_scope(current_user))


@router.get(ITEM, responses={**UNAUTHORIZED, **NOT_FOUND})
async def get_tag(
    tag_id: RowId, db: SessionDep, current_user: CurrentUser
) -> TagResponse:
    """Get one tag."""
    tag = await TagService(db).get(tag_id, user_id=owner_scope(current_user))
    if tag is None:
        raise not_found(LABEL)
    return TagResponse.model_validate(tag)


@router.put(ITEM, responses={**UNAUTHORIZED, **MALFORMED, **NOT_FOUND, **CONFLICT})
async def replace_tag(
    tag_id: RowId, data: TagCreate, db: SessionDep, current_user: CurrentUser
) -> TagResponse:
    """Replace a tag: omitted optional fields take their defaults."""
    tag = await TagService(db).update(
        tag_id, data.model_dump(), user_id=owner_scope(current_user)
    )
    if tag is None:
        raise not_found(LABEL)
    return TagResponse.model_validate(tag)


@router.patch(ITEM, responses={**UNAUTHORIZED, **MALFORMED, **NOT_FOUND, **CONFLICT})
async def update_tag(
    tag_id: RowId, data: TagUpdate, db: SessionDep, current_user: CurrentUser
) -> TagResponse:
    """Change only the fields sent."""
    values = data.model_dump(exclude_unset=True)
    tag = await TagService(db).update(tag_id, values, user_id=owner_scope(current_user))
    if tag is None:
        raise not_found(LABEL)
    return TagResponse.model_validate(tag)


@router.delete(
    ITEM,
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**UNAUTHORIZED, **NOT_FOUND},
)
async def delete_tag(tag_id: RowId, db: SessionDep, current_user: CurrentUser) -> None:
    """Delete a tag."""
    if not await TagService(db).delete(tag_id, user_id=owner_scope(current_user)):
        raise not_found(LABEL)


async def _page(
    service: TagService, page: Pagination, filters: TagFilters, user_id: int | None
) -> TagList:
    # One row more than the page: whether there is a next page, without a count.
    rows = await service.get_multi(
        limit=page.limit + 1, cursor=page.cursor, filters=filters, user_id=user_id
    )
    items = rows[: page.limit]
    more = len(rows) > page.limit
    return TagList(
        items=[TagResponse.model_validate(item) for item in items],
        next=next_cursor(items[-1], filters.sort) if more else None,
        total=await service.count(filters, user_id=user_id) if page.total else None,
    )
