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
from app.schemas.post import PostCreate, PostFilters, PostList, PostResponse, PostUpdate
from app.services.post_service import PostService

router = APIRouter(tags=["posts"])

PATH = "/posts"
ITEM = "/posts/{post_id}"
LABEL = "Post"


@router.post(
    PATH,
    status_code=status.HTTP_201_CREATED,
    responses={**UNAUTHORIZED, **MALFORMED, **CONFLICT},
)
async def create_post(
    data: PostCreate, db: SessionDep, current_user: CurrentUser
) -> PostResponse:
    """Create a post owned by the signed-in user."""
    post = await PostService(db).create(
        data, user_id=current_user.id, reader=owner_scope(current_user)
    )
    return PostResponse.model_validate(post)


@router.get(PATH)
async def list_posts(
    db: SessionDep, page: PaginationDep, filters: Annotated[PostFilters, Query()]
) -> PostList:
    """List posts, filtered and sorted (newest first by default)."""
    return await _page(PostService(db), page, filters, user_id=None)


@router.get("/categories/{category_id}/posts", responses=NOT_FOUND)
async def list_category_posts(
    category_id: RowId, db: SessionDep, page: PaginationDep
) -> PostList:
    """List the posts whose category is this category, newest first."""
    service = PostService(db)
    if not await service.category_exists(category_id, user_id=None):
        raise not_found("Category")
    filters = PostFilters(category_id=category_id)
    return await _page(service, page, filters, user_id=None)


@router.get(ITEM, responses=NOT_FOUND)
async def get_post(post_id: RowId, db: SessionDep) -> PostResponse:
    """Get one post."""
    post = await PostService(db).get(post_id, user_id=None)
    if post is None:
        raise not_found(LABEL)
    return PostResponse.model_validate(post)


@router.put(ITEM, responses={**UNAUTHORIZED, **MALFORMED, **NOT_FOUND, **CONFLICT})
async def replace_post(
    post_id: RowId, data: PostCreate, db: SessionDep, current_user: CurrentUser
) -> PostResponse:
    """Replace a post: omitted optional fields take their defaults."""
    post = await PostService(db).update(
        post_id,
        data.model_dump(),
        user_id=owner_scope(current_user),
        reader=owner_scope(current_user),
    )
    if post is None:
        raise not_found(LABEL)
    return PostResponse.model_validate(post)


@router.patch(ITEM, responses={**UNAUTHORIZED, **MALFORMED, **NOT_FOUND, **CONFLICT})
async def update_post(
    post_id: RowId, data: PostUpdate, db: SessionDep, current_user: CurrentUser
) -> PostResponse:
    """Change only the fields sent."""
    values = data.model_dump(exclude_unset=True)
    post = await PostService(db).update(
        post_id,
        values,
        user_id=owner_scope(current_user),
        reader=owner_scope(current_user),
    )
    if post is None:
        raise not_found(LABEL)
    return PostResponse.model_validate(post)


@router.delete(
    ITEM,
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**UNAUTHORIZED, **NOT_FOUND},
)
async def delete_post(
    post_id: RowId, db: SessionDep, current_user: CurrentUser
) -> None:
    """Delete a post."""
    if not await PostService(db).delete(post_id, user_id=owner_scope(current_user)):
        raise not_found(LABEL)


async def _page(
    service: PostService, page: Pagination, filters: PostFilters, user_id: int | None
) -> PostList:
    # One row more than the page: whether there is a next page, without a count.
    rows = await service.get_multi(
        limit=page.limit + 1, cursor=page.cursor, filters=filters, user_id=user_id
    )
    items = rows[: page.limit]
    more = len(rows) > page.limit
    return PostList(
        items=[PostResponse.model_validate(item) for item in items],
        next=next_cursor(items[-1], filters.sort) if more else None,
        total=await service.count(filters, user_id=user_id) if page.total else None,
    )
