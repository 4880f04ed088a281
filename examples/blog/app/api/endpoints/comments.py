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
from app.schemas.comment import (
    CommentCreate,
    CommentFilters,
    CommentList,
    CommentResponse,
    CommentUpdate,
)
from app.schemas.common import CONFLICT, MALFORMED, NOT_FOUND, UNAUTHORIZED
from app.services.comment_service import CommentService

router = APIRouter(tags=["comments"])

PATH = "/comments"
ITEM = "/comments/{comment_id}"
LABEL = "Comment"


@router.post(
    PATH,
    status_code=status.HTTP_201_CREATED,
    responses={**UNAUTHORIZED, **MALFORMED, **CONFLICT},
)
async def create_comment(
    data: CommentCreate, db: SessionDep, current_user: CurrentUser
) -> CommentResponse:
    """Create a comment owned by the signed-in user."""
    comment = await CommentService(db).create(data, user_id=current_user.id)
    return CommentResponse.model_validate(comment)


@router.get(PATH, responses=UNAUTHORIZED)
async def list_comments(
    db: SessionDep,
    page: PaginationDep,
    filters: Annotated[CommentFilters, Query()],
    current_user: CurrentUser,
) -> CommentList:
    """List the signed-in user's comments, filtered and sorted (newest first by default)."""
    return await _page(
        CommentService(db), page, filters, user_id=owner_scope(current_user)
    )


@router.get("/posts/{post_id}/comments", responses={**UNAUTHORIZED, **NOT_FOUND})
async def list_post_comments(
    post_id: RowId, db: SessionDep, page: PaginationDep, current_user: CurrentUser
) -> CommentList:
    """List the comments whose post is this post, newest first."""
    service = CommentService(db)
    if not await service.post_exists(post_id, user_id=None):
        raise not_found("Post")
    filters = CommentFilters(post_id=post_id)
    return await _page(service, page, filters, user_id=owner_scope(current_user))


@router.get(ITEM, responses={**UNAUTHORIZED, **NOT_FOUND})
async def get_comment(
    comment_id: RowId, db: SessionDep, current_user: CurrentUser
) -> CommentResponse:
    """Get one comment."""
    comment = await CommentService(db).get(
        comment_id, user_id=owner_scope(current_user)
    )
    if comment is None:
        raise not_found(LABEL)
    return CommentResponse.model_validate(comment)


@router.put(ITEM, responses={**UNAUTHORIZED, **MALFORMED, **NOT_FOUND, **CONFLICT})
async def replace_comment(
    comment_id: RowId, data: CommentCreate, db: SessionDep, current_user: CurrentUser
) -> CommentResponse:
    """Replace a comment: omitted optional fields take their defaults."""
    comment = await CommentService(db).update(
        comment_id, data.model_dump(), user_id=owner_scope(current_user)
    )
    if comment is None:
        raise not_found(LABEL)
    return CommentResponse.model_validate(comment)


@router.patch(ITEM, responses={**UNAUTHORIZED, **MALFORMED, **NOT_FOUND, **CONFLICT})
async def update_comment(
    comment_id: RowId, data: CommentUpdate, db: SessionDep, current_user: CurrentUser
) -> CommentResponse:
    """Change only the fields sent."""
    values = data.model_dump(exclude_unset=True)
    comment = await CommentService(db).update(
        comment_id, values, user_id=owner_scope(current_user)
    )
    if comment is None:
        raise not_found(LABEL)
    return CommentResponse.model_validate(comment)


@router.delete(
    ITEM,
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**UNAUTHORIZED, **NOT_FOUND},
)
async def delete_comment(
    comment_id: RowId, db: SessionDep, current_user: CurrentUser
) -> None:
    """Delete a comment."""
    if not await CommentService(db).delete(
        comment_id, user_id=owner_scope(current_user)
    ):
        raise not_found(LABEL)


async def _page(
    service: CommentService,
    page: Pagination,
    filters: CommentFilters,
    user_id: int | None,
) -> CommentList:
    # One row more than the page: whether there is a next page, without a count.
    rows = await service.get_multi(
        limit=page.limit + 1, cursor=page.cursor, filters=filters, user_id=user_id
    )
    items = rows[: page.limit]
    more = len(rows) > page.limit
    return CommentList(
        items=[CommentResponse.model_validate(item) for item in items],
        next=next_cursor(items[-1], filters.sort) if more else None,
        total=await service.count(filters, user_id=user_id) if page.total else None,
    )
