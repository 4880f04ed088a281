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
from app.schemas.loan import LoanCreate, LoanFilters, LoanList, LoanResponse, LoanUpdate
from app.services.loan_service import LoanService

router = APIRouter(tags=["loans"])

PATH = "/loans"
ITEM = "/loans/{loan_id}"
LABEL = "Loan"


@router.post(
    PATH,
    status_code=status.HTTP_201_CREATED,
    responses={**UNAUTHORIZED, **MALFORMED, **CONFLICT},
)
async def create_loan(
    data: LoanCreate, db: SessionDep, current_user: CurrentUser
) -> LoanResponse:
    """Create a loan owned by the signed-in user."""
    loan = await LoanService(db).create(data, user_id=current_user.id)
    return LoanResponse.model_validate(loan)


@router.get(PATH, responses=UNAUTHORIZED)
async def list_loans(
    db: SessionDep,
    page: PaginationDep,
    filters: Annotated[LoanFilters, Query()],
    current_user: CurrentUser,
) -> LoanList:
    """List the signed-in user's loans, filtered and sorted (newest first by default)."""
    return await _page(
        LoanService(db), page, filters, user_id=owner_scope(current_user)
    )


@router.get("/books/{book_id}/loans", responses={**UNAUTHORIZED, **NOT_FOUND})
async def list_book_loans(
    book_id: RowId, db: SessionDep, page: PaginationDep, current_user: CurrentUser
) -> LoanList:
    """List the loans whose book is this book, newest first."""
    service = LoanService(db)
    if not await service.book_exists(book_id):
        raise not_found("Book")
    filters = LoanFilters(book_id=book_id)
    return await _page(service, page, filters, user_id=owner_scope(current_user))


@router.get(ITEM, responses={**UNAUTHORIZED, **NOT_FOUND})
async def get_loan(
    loan_id: RowId, db: SessionDep, current_user: CurrentUser
) -> LoanResponse:
    """Get one loan."""
    loan = await LoanService(db).get(loan_id, user_id=owner_scope(current_user))
    if loan is None:
        raise not_found(LABEL)
    return LoanResponse.model_validate(loan)


@router.put(ITEM, responses={**UNAUTHORIZED, **MALFORMED, **NOT_FOUND, **CONFLICT})
async def replace_loan(
    loan_id: RowId, data: LoanCreate, db: SessionDep, current_user: CurrentUser
) -> LoanResponse:
    """Replace a loan: omitted optional fields take their defaults."""
    loan = await LoanService(db).update(
        loan_id, data.model_dump(), user_id=owner_scope(current_user)
    )
    if loan is None:
        raise not_found(LABEL)
    return LoanResponse.model_validate(loan)


@router.patch(ITEM, responses={**UNAUTHORIZED, **MALFORMED, **NOT_FOUND, **CONFLICT})
async def update_loan(
    loan_id: RowId, data: LoanUpdate, db: SessionDep, current_user: CurrentUser
) -> LoanResponse:
    """Change only the fields sent."""
    values = data.model_dump(exclude_unset=True)
    loan = await LoanService(db).update(
        loan_id, values, user_id=owner_scope(current_user)
    )
    if loan is None:
        raise not_found(LABEL)
    return LoanResponse.model_validate(loan)


@router.delete(
    ITEM,
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**UNAUTHORIZED, **NOT_FOUND},
)
async def delete_loan(
    loan_id: RowId, db: SessionDep, current_user: CurrentUser
) -> None:
    """Delete a loan."""
    if not await LoanService(db).delete(loan_id, user_id=owner_scope(current_user)):
        raise not_found(LABEL)


async def _page(
    service: LoanService, page: Pagination, filters: LoanFilters, user_id: int | None
) -> LoanList:
    # One row more than the page: whether there is a next page, without a count.
    rows = await service.get_multi(
        limit=page.limit + 1, cursor=page.cursor, filters=filters, user_id=user_id
    )
    items = rows[: page.limit]
    more = len(rows) > page.limit
    return LoanList(
        items=[LoanResponse.model_validate(item) for item in items],
        next=next_cursor(items[-1], filters.sort) if more else None,
        total=await service.count(filters, user_id=user_id) if page.total else None,
    )
