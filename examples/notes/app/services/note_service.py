from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Note
from app.schemas.note import NoteCreate


class NoteService:
    def __init__(self, db: AsyncSession) -> None:
        self.db = db

    async def create(self, data: NoteCreate, *, user_id: int) -> Note:
        note = Note(**data.model_dump(), user_id=user_id)
        self.db.add(note)
        await self.db.commit()
        return note

    async def get(self, note_id: int, *, user_id: int) -> Note | None:
        return await self.db.scalar(
            select(Note).where(Note.id == note_id, Note.user_id == user_id)
        )

    async def get_multi(self, *, skip: int, limit: int, user_id: int) -> list[Note]:
        query = select(Note).where(Note.user_id == user_id)
        page = query.order_by(Note.id.desc()).offset(skip).limit(limit)
        return list(await self.db.scalars(page))

    async def count(self, *, user_id: int) -> int:
        query = select(func.count()).select_from(Note).where(Note.user_id == user_id)
        return await self.db.scalar(query) or 0

    async def update(
        self, note_id: int, values: dict[str, Any], *, user_id: int
    ) -> Note | None:
        """Apply `values` in one UPDATE ... RETURNING; None if no such row."""
        query = (
            update(Note)
            .where(Note.id == note_id, Note.user_id == user_id)
            .values(**values)
        )
        note = await self.db.scalar(query.returning(Note))
        await self.db.commit()
        return note

    async def delete(self, note_id: int, *, user_id: int) -> bool:
        query = (
            delete(Note)
            .where(Note.id == note_id, Note.user_id == user_id)
            .returning(Note.id)
        )
        deleted = await self.db.scalar(query)
        await self.db.commit()
        return deleted is not None
