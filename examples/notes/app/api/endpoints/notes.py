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
from app.schemas.common import MALFORMED, NOT_FOUND, UNAUTHORIZED
from app.schemas.note import NoteCreate, NoteFilters, NoteList, NoteResponse, NoteUpdate
from app.services.note_service import NoteService

router = APIRouter(tags=["notes"])

PATH = "/notes"
ITEM = "/notes/{note_id}"
LABEL = "Note"


@router.post(
    PATH, status_code=status.HTTP_201_CREATED, responses={**UNAUTHORIZED, **MALFORMED}
)
async def create_note(
    data: NoteCreate, db: SessionDep, current_user: CurrentUser
) -> NoteResponse:
    """Create a note owned by the signed-in user."""
    note = await NoteService(db).create(data, user_id=current_user.id)
    return NoteResponse.model_validate(note)


@router.get(PATH, responses=UNAUTHORIZED)
async def list_notes(
    db: SessionDep,
    page: PaginationDep,
    filters: Annotated[NoteFilters, Query()],
    current_user: CurrentUser,
) -> NoteList:
    """List the signed-in user's notes, filtered and sorted (newest first by default)."""
    return await _page(
        NoteService(db), page, filters, user_id=owner_scope(current_user)
    )


@router.get(ITEM, responses={**UNAUTHORIZED, **NOT_FOUND})
async def get_note(
    note_id: RowId, db: SessionDep, current_user: CurrentUser
) -> NoteResponse:
    """Get one note."""
    note = await NoteService(db).get(note_id, user_id=owner_scope(current_user))
    if note is None:
        raise not_found(LABEL)
    return NoteResponse.model_validate(note)


@router.put(ITEM, responses={**UNAUTHORIZED, **MALFORMED, **NOT_FOUND})
async def replace_note(
    note_id: RowId, data: NoteCreate, db: SessionDep, current_user: CurrentUser
) -> NoteResponse:
    """Replace a note: omitted optional fields take their defaults."""
    note = await NoteService(db).update(
        note_id, data.model_dump(), user_id=owner_scope(current_user)
    )
    if note is None:
        raise not_found(LABEL)
    return NoteResponse.model_validate(note)


@router.patch(ITEM, responses={**UNAUTHORIZED, **MALFORMED, **NOT_FOUND})
async def update_note(
    note_id: RowId, data: NoteUpdate, db: SessionDep, current_user: CurrentUser
) -> NoteResponse:
    """Change only the fields sent."""
    values = data.model_dump(exclude_unset=True)
    note = await NoteService(db).update(
        note_id, values, user_id=owner_scope(current_user)
    )
    if note is None:
        raise not_found(LABEL)
    return NoteResponse.model_validate(note)


@router.delete(
    ITEM,
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**UNAUTHORIZED, **NOT_FOUND},
)
async def delete_note(
    note_id: RowId, db: SessionDep, current_user: CurrentUser
) -> None:
    """Delete a note."""
    if not await NoteService(db).delete(note_id, user_id=owner_scope(current_user)):
        raise not_found(LABEL)


async def _page(
    service: NoteService, page: Pagination, filters: NoteFilters, user_id: int | None
) -> NoteList:
    # One row more than the page: whether there is a next page, without a count.
    rows = await service.get_multi(
        limit=page.limit + 1, cursor=page.cursor, filters=filters, user_id=user_id
    )
    items = rows[: page.limit]
    more = len(rows) > page.limit
    return NoteList(
        items=[NoteResponse.model_validate(item) for item in items],
        next=next_cursor(items[-1], filters.sort) if more else None,
        total=await service.count(filters, user_id=user_id) if page.total else None,
    )
