import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Note, User
from app.schemas.note import NoteCreate
from app.services.note_service import NoteService
from tests.api.test_notes import VALID

pytestmark = pytest.mark.priority_low


async def make(service: NoteService, index: int, user: User) -> Note:
    return await service.create(
        NoteCreate.model_validate(VALID[index]), user_id=user.id
    )


async def test_create_get_update_delete(db: AsyncSession, user: User) -> None:
    service = NoteService(db)
    created = await make(service, 0, user)
    assert repr(created) == f"<Note id={created.id}>"
    assert await service.get(created.id, user_id=user.id) is created
    assert await service.count(user_id=user.id) >= 1
    assert created in await service.get_multi(skip=0, limit=100, user_id=user.id)
    replacement = NoteCreate.model_validate(VALID[1]).text
    changed = await service.update(created.id, {"text": replacement}, user_id=user.id)
    assert changed is not None
    assert changed.text == replacement
    assert await service.delete(created.id, user_id=user.id)
    assert await service.get(created.id, user_id=user.id) is None
    assert not await service.delete(created.id, user_id=user.id)
    assert await service.update(created.id, {}, user_id=user.id) is None


async def test_rows_are_scoped_to_their_owner(
    db: AsyncSession, user: User, other_user: User
) -> None:
    service = NoteService(db)
    created = await make(service, 0, user)
    assert await service.get(created.id, user_id=other_user.id) is None
    assert await service.update(created.id, {}, user_id=other_user.id) is None
    assert not await service.delete(created.id, user_id=other_user.id)
    assert await service.get_multi(skip=0, limit=10, user_id=other_user.id) == []
    assert await service.count(user_id=other_user.id) == 0
