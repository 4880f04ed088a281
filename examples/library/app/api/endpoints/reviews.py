from typing import Annotated

from fastapi import APIRouter, Query, status

from app.api.deps import (
    AdminUser,
    CurrentUser,
    OptionalUser,
    Pagination,
    PaginationDep,
    RowId,
    SessionDep,
    forbidden,
    not_found,
    owner_scope,
)
from app.core.pagination import next_cursor
from app.schemas.common import CONFLICT, FORBIDDEN, MALFORMED, NOT_FOUND, UNAUTHORIZED
from app.schemas.review import (
    ReviewCreate,
    ReviewFilters,
    ReviewList,
    ReviewResponse,
    ReviewUpdate,
)
from app.services.review_service import ReviewService

router = APIRouter(tags=["reviews"])

PATH = "/reviews"
ITEM = "/reviews/{review_id}"
LABEL = "Review"


@router.post(
    PATH,
    status_code=status.HTTP_201_CREATED,
    responses={**UNAUTHORIZED, **MALFORMED, **CONFLICT},
)
async def create_review(
    data: ReviewCreate, db: SessionDep, current_user: CurrentUser
) -> ReviewResponse:
    """Create a review owned by the signed-in user."""
    review = await ReviewService(db).create(
        data, user_id=current_user.id, actor_id=current_user.id
    )
    return ReviewResponse.model_validate(review)


@router.get(PATH, responses=FORBIDDEN)
async def list_reviews(
    db: SessionDep,
    page: PaginationDep,
    filters: Annotated[ReviewFilters, Query()],
    current_user: OptionalUser,
) -> ReviewList:
    """List reviews, filtered and sorted (newest first by default)."""
    if filters.include_deleted and (
        current_user is None or not current_user.is_superuser
    ):
        raise forbidden()
    return await _page(ReviewService(db), page, filters, user_id=None)


@router.get("/books/{book_id}/reviews", responses={**FORBIDDEN, **NOT_FOUND})
async def list_book_reviews(
    book_id: RowId, db: SessionDep, page: PaginationDep, current_user: OptionalUser
) -> ReviewList:
    """List the reviews whose book is this book, newest first."""
    service = ReviewService(db)
    if not await service.book_exists(book_id):
        raise not_found("Book")
    filters = ReviewFilters(book_id=book_id)
    return await _page(service, page, filters, user_id=None)


@router.get(ITEM, responses=NOT_FOUND)
async def get_review(review_id: RowId, db: SessionDep) -> ReviewResponse:
    """Get one review."""
    review = await ReviewService(db).get(review_id, user_id=None)
    if review is None:
        raise not_found(LABEL)
    return ReviewResponse.model_validate(review)


@router.put(ITEM, responses={**UNAUTHORIZED, **MALFORMED, **NOT_FOUND, **CONFLICT})
async def replace_review(
    review_id: RowId, data: ReviewCreate, db: SessionDep, current_user: CurrentUser
) -> ReviewResponse:
    """Replace a review: omitted optional fields take their defaults."""
    review = await ReviewService(db).update(
        review_id,
        data.model_dump(),
        user_id=owner_scope(current_user),
        actor_id=current_user.id,
    )
    if review is None:
        raise not_found(LABEL)
    return ReviewResponse.model_validate(review)


@router.patch(ITEM, responses={**UNAUTHORIZED, **MALFORMED, **NOT_FOUND, **CONFLICT})
async def update_review(
    review_id: RowId, data: ReviewUpdate, db: SessionDep, current_user: CurrentUser
) -> ReviewResponse:
    """Change only the fields sent."""
    values = data.model_dump(exclude_unset=True)
    review = await ReviewService(db).update(
        review_id, values, user_id=owner_scope(current_user), actor_id=current_user.id
    )
    if review is None:
        raise not_found(LABEL)
    return ReviewResponse.model_validate(review)


@router.delete(
    ITEM,
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**UNAUTHORIZED, **NOT_FOUND},
)
async def delete_review(
    review_id: RowId, db: SessionDep, current_user: CurrentUser
) -> None:
    """Delete a review: it is kept, marked deleted, and an admin may restore it."""
    if not await ReviewService(db).delete(
        review_id, user_id=owner_scope(current_user), actor_id=current_user.id
    ):
        raise not_found(LABEL)


@router.post(ITEM + "/restore", responses={**FORBIDDEN, **NOT_FOUND})
async def restore_review(
    review_id: RowId, db: SessionDep, current_user: AdminUser
) -> ReviewResponse:
    """Bring back a deleted review (admins only)."""
    review = await ReviewService(db).restore(review_id, actor_id=current_user.id)
    if review is None:
        raise not_found("Deleted review")
    return ReviewResponse.model_validate(review)


async def _page(
    service: ReviewService,
    page: Pagination,
    filters: ReviewFilters,
    user_id: int | None,
) -> ReviewList:
    # One row more than the page: whether there is a next page, without a count.
    rows = await service.get_multi(
        limit=page.limit + 1, cursor=page.cursor, filters=filters, user_id=user_id
    )
    items = rows[: page.limit]
    more = len(rows) > page.limit
    return ReviewList(
        items=[ReviewResponse.model_validate(item) for item in items],
        next=next_cursor(items[-1], filters.sort) if more else None,
        total=await service.count(filters, user_id=user_id) if page.total else None,
    )
