from typing import Annotated

from fastapi import APIRouter, Query, status

from app.api.deps import (
    AdminUser,
    OptionalUser,
    Pagination,
    PaginationDep,
    RowId,
    SessionDep,
    forbidden,
    not_found,
)
from app.core.pagination import next_cursor
from app.schemas.book import BookCreate, BookFilters, BookList, BookResponse, BookUpdate
from app.schemas.common import CONFLICT, FORBIDDEN, MALFORMED, NOT_FOUND, REFERENCED
from app.services.book_service import BookService

router = APIRouter(tags=["books"])

PATH = "/books"
ITEM = "/books/{book_id}"
LABEL = "Book"


@router.post(
    PATH,
    status_code=status.HTTP_201_CREATED,
    responses={**FORBIDDEN, **MALFORMED, **CONFLICT},
)
async def create_book(
    data: BookCreate, db: SessionDep, current_user: AdminUser
) -> BookResponse:
    """Create a book (admins only)."""
    book = await BookService(db).create(data, actor_id=current_user.id)
    return BookResponse.model_validate(book)


@router.get(PATH, responses=FORBIDDEN)
async def list_books(
    db: SessionDep,
    page: PaginationDep,
    filters: Annotated[BookFilters, Query()],
    current_user: OptionalUser,
) -> BookList:
    """List books, filtered and sorted (newest first by default)."""
    if filters.include_deleted and (
        current_user is None or not current_user.is_superuser
    ):
        raise forbidden()
    return await _page(BookService(db), page, filters)


@router.get("/shelves/{shelf_id}/books", responses={**FORBIDDEN, **NOT_FOUND})
async def list_shelf_books(
    shelf_id: RowId, db: SessionDep, page: PaginationDep, current_user: OptionalUser
) -> BookList:
    """List the books whose shelf is this shelf, newest first."""
    service = BookService(db)
    if not await service.shelf_exists(shelf_id):
        raise not_found("Shelf")
    filters = BookFilters(shelf_id=shelf_id)
    return await _page(service, page, filters)


@router.get(ITEM, responses=NOT_FOUND)
async def get_book(book_id: RowId, db: SessionDep) -> BookResponse:
    """Get one book."""
    book = await BookService(db).get(book_id)
    if book is None:
        raise not_found(LABEL)
    return BookResponse.model_validate(book)


@router.put(ITEM, responses={**FORBIDDEN, **MALFORMED, **NOT_FOUND, **CONFLICT})
async def replace_book(
    book_id: RowId, data: BookCreate, db: SessionDep, current_user: AdminUser
) -> BookResponse:
    """Replace a book: omitted optional fields take their defaults."""
    book = await BookService(db).update(
        book_id, data.model_dump(), actor_id=current_user.id
    )
    if book is None:
        raise not_found(LABEL)
    return BookResponse.model_validate(book)


@router.patch(ITEM, responses={**FORBIDDEN, **MALFORMED, **NOT_FOUND, **CONFLICT})
async def update_book(
    book_id: RowId, data: BookUpdate, db: SessionDep, current_user: AdminUser
) -> BookResponse:
    """Change only the fields sent."""
    values = data.model_dump(exclude_unset=True)
    book = await BookService(db).update(book_id, values, actor_id=current_user.id)
    if book is None:
        raise not_found(LABEL)
    return BookResponse.model_validate(book)


@router.delete(
    ITEM,
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**FORBIDDEN, **NOT_FOUND, **REFERENCED},
)
async def delete_book(book_id: RowId, db: SessionDep, current_user: AdminUser) -> None:
    """Delete a book: it is kept, marked deleted, and an admin may restore it."""
    if not await BookService(db).delete(book_id, actor_id=current_user.id):
        raise not_found(LABEL)


@router.post(ITEM + "/restore", responses={**FORBIDDEN, **NOT_FOUND, **CONFLICT})
async def restore_book(
    book_id: RowId, db: SessionDep, current_user: AdminUser
) -> BookResponse:
    """Bring back a deleted book (admins only)."""
    book = await BookService(db).restore(book_id, actor_id=current_user.id)
    if book is None:
        raise not_found("Deleted book")
    return BookResponse.model_validate(book)


async def _page(
    service: BookService, page: Pagination, filters: BookFilters
) -> BookList:
    # One row more than the page: whether there is a next page, without a count.
    rows = await service.get_multi(
        limit=page.limit + 1, cursor=page.cursor, filters=filters
    )
    items = rows[: page.limit]
    more = len(rows) > page.limit
    return BookList(
        items=[BookResponse.model_validate(item) for item in items],
        next=next_cursor(items[-1], filters.sort) if more else None,
        total=await service.count(filters) if page.total else None,
    )
