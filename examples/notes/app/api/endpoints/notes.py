from fastapi import APIRouter, status

from app.api.deps import CurrentUser, PaginationDep, RowId, SessionDep, not_found
from app.schemas.common import MALFORMED, NOT_FOUND, UNAUTHORIZED
from app.schemas.note import NoteCreate, NoteList, NoteResponse, NoteUpdate
from app.services.note_service import NoteService

router = APIRouter(prefix="/notes", tags=["notes"], responses=UNAUTHORIZED)

LABEL = "Note"


@router.post("", status_code=status.HTTP_201_CREATED, responses=MALFORMED)
async def create_note(
    data: NoteCreate, db: SessionDep, current_user: CurrentUser
) -> NoteResponse:
    """Create a note owned by the signed-in user."""
    note = await NoteService(db).create(data, user_id=current_user.id)
    return NoteResponse.model_validate(note)


@router.get("")
async def list_notes(
    db: SessionDep, current_user: CurrentUser, page: PaginationDep
) -> NoteList:
    """List the signed-in user's notes, newest first."""
    service = NoteService(db)
    items = await service.get_multi(
        skip=page.skip, limit=page.limit, user_id=current_user.id
    )
    total = await service.count(user_id=current_user.id)
    return NoteList(
        items=[NoteResponse.model_validate(item) for item in items],
        total=total,
        page=page.page,
        size=page.limit,
    )


@router.get("/{note_id}", responses=NOT_FOUND)
async def get_note(
    note_id: RowId, db: SessionDep, current_user: CurrentUser
) -> NoteResponse:
    """Get one note."""
    note = await NoteService(db).get(note_id, user_id=current_user.id)
    if note is None:
        raise not_found(LABEL)
    return NoteResponse.model_validate(note)


@router.put("/{note_id}", responses={**MALFORMED, **NOT_FOUND})
async def replace_note(
    note_id: RowId, data: NoteCreate, db: SessionDep, current_user: CurrentUser
) -> NoteResponse:
    """Replace a note: omitted optional fields take their defaults."""
    note = await NoteService(db).update(
        note_id, data.model_dump(), user_id=current_user.id
    )
    if note is None:
        raise not_found(LABEL)
    return NoteResponse.model_validate(note)


@router.patch("/{note_id}", responses={**MALFORMED, **NOT_FOUND})
async def update_note(
    note_id: RowId, data: NoteUpdate, db: SessionDep, current_user: CurrentUser
) -> NoteResponse:
    """Change only the fields sent."""
    values = data.model_dump(exclude_unset=True)
    note = await NoteService(db).update(note_id, values, user_id=current_user.id)
    if note is None:
        raise not_found(LABEL)
    return NoteResponse.model_validate(note)


@router.delete(
    "/{note_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND
)
async def delete_note(
    note_id: RowId, db: SessionDep, current_user: CurrentUser
) -> None:
    """Delete a note."""
    if not await NoteService(db).delete(note_id, user_id=current_user.id):
        raise not_found(LABEL)
