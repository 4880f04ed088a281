from typing import Any, NoReturn

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import ConflictError, violated_constraint
from app.models import Event
from app.schemas.event import EventCreate

# Unique constraints of the table and the field each one protects, for 409 messages.
UNIQUE_FIELDS = {
    "uq_events_reference": "reference",
}


class EventService:
    def __init__(self, db: AsyncSession) -> None:
        self.db = db

    async def create(self, data: EventCreate, *, user_id: int) -> Event:
        event = Event(**data.model_dump(), user_id=user_id)
        self.db.add(event)
        try:
            await self.db.commit()
        except IntegrityError as exc:
            await self._conflict(exc)
        return event

    async def get(self, event_id: int, *, user_id: int) -> Event | None:
        return await self.db.scalar(
            select(Event).where(Event.id == event_id, Event.user_id == user_id)
        )

    async def get_multi(self, *, skip: int, limit: int, user_id: int) -> list[Event]:
        query = select(Event).where(Event.user_id == user_id)
        page = query.order_by(Event.id.desc()).offset(skip).limit(limit)
        return list(await self.db.scalars(page))

    async def count(self, *, user_id: int) -> int:
        query = select(func.count()).select_from(Event).where(Event.user_id == user_id)
        return await self.db.scalar(query) or 0

    async def update(
        self, event_id: int, values: dict[str, Any], *, user_id: int
    ) -> Event | None:
        """Apply `values` in one UPDATE ... RETURNING; None if no such row."""
        query = (
            update(Event)
            .where(Event.id == event_id, Event.user_id == user_id)
            .values(**values)
        )
        try:
            event = await self.db.scalar(query.returning(Event))
            await self.db.commit()
        except IntegrityError as exc:
            await self._conflict(exc)
        return event

    async def delete(self, event_id: int, *, user_id: int) -> bool:
        query = (
            delete(Event)
            .where(Event.id == event_id, Event.user_id == user_id)
            .returning(Event.id)
        )
        deleted = await self.db.scalar(query)
        await self.db.commit()
        return deleted is not None

    async def _conflict(self, exc: IntegrityError) -> NoReturn:
        await self.db.rollback()
        field = UNIQUE_FIELDS.get(violated_constraint(exc) or "")
        if field is None:
            raise exc
        raise ConflictError(f"A event with this {field} already exists") from exc
