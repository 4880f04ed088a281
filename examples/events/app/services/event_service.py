from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.core.errors import as_conflict
from app.core.pagination import after
from app.models import Event
from app.schemas.event import EventCreate, EventFilters

LABEL = "event"
# Unique constraints of the table and the field each one protects, for 409 messages.
UNIQUE_FIELDS: dict[str, str] = {
    "uq_events_user_id_reference": "reference",
}
# What `sort` may name (`title` ascending, `-title` descending); nothing else reaches SQL.
SORT_COLUMNS: dict[str, InstrumentedAttribute[Any]] = {
    "id": Event.id,
    "created_at": Event.created_at,
    "updated_at": Event.updated_at,
    "name": Event.name,
    "starts_on": Event.starts_on,
    "starts_at": Event.starts_at,
    "contact_email": Event.contact_email,
    "website": Event.website,
    "capacity": Event.capacity,
    "ticket_price": Event.ticket_price,
    "category": Event.category,
    "reference": Event.reference,
}


class EventService:
    """Events and their operations. `user_id` limits an operation to one owner's
    rows; None lifts the limit (for admins, and where the access rules open the rows to all)."""

    def __init__(self, db: AsyncSession) -> None:
        self.db = db

    async def create(self, data: EventCreate, *, user_id: int) -> Event:
        values = data.model_dump()
        event = Event(**values, user_id=user_id)
        async with self._writing():
            self.db.add(event)
        return event

    async def get(self, event_id: int, *, user_id: int | None) -> Event | None:
        query = select(Event).where(*self._row(event_id, user_id))
        return await self.db.scalar(query)

    async def get_multi(
        self,
        *,
        limit: int,
        cursor: str | None,
        filters: EventFilters,
        user_id: int | None,
    ) -> list[Event]:
        """Up to `limit` rows in the order `filters.sort` names, after the `cursor` row's."""
        column = SORT_COLUMNS[filters.sort.removeprefix("-")]
        # The id breaks ties: each row has one place in the order, which a cursor names.
        if filters.sort.startswith("-"):
            order = (column.desc(), Event.id.desc())
        else:
            order = (column.asc(), Event.id.asc())
        query = select(Event).where(*self._filters(filters, user_id))
        if cursor is not None:
            query = query.where(after(cursor, filters.sort, column, Event.id))
        page = query.order_by(*order).limit(limit)
        return list(await self.db.scalars(page))

    async def count(self, filters: EventFilters, *, user_id: int | None) -> int:
        query = (
            select(func.count())
            .select_from(Event)
            .where(*self._filters(filters, user_id))
        )
        return await self.db.scalar(query) or 0

    async def update(
        self, event_id: int, values: dict[str, Any], *, user_id: int | None
    ) -> Event | None:
        """Apply `values` in one UPDATE ... RETURNING.

        None if there is no such row. The UPDATE writes every value sent (even one equal to
        what the row holds) and locks the row until the commit: a concurrent update or
        delete of it waits for this one.
        """
        query = (
            update(Event)
            .where(*self._row(event_id, user_id))
            .values(**values)
            .returning(Event)
        )
        async with self._writing():
            event = await self.db.scalar(query)
        return event

    async def delete(self, event_id: int, *, user_id: int | None) -> bool:
        query = delete(Event).where(*self._row(event_id, user_id)).returning(Event.id)
        async with self._writing(deleting=True):
            deleted = await self.db.scalar(query)
        return deleted is not None

    def _row(self, event_id: int, user_id: int | None) -> list[ColumnElement[bool]]:
        """The row `event_id` names, if it is the user's (any row's when `user_id` is None)."""
        clauses = [Event.id == event_id]
        if user_id is not None:
            clauses.append(Event.user_id == user_id)
        return clauses

    def _filters(
        self, filters: EventFilters, user_id: int | None
    ) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if user_id is not None:
            clauses.append(Event.user_id == user_id)
        # Equality filters: each one given narrows the list.
        equal: list[tuple[InstrumentedAttribute[Any], object]] = [
            (Event.starts_on, filters.starts_on),
            (Event.category, filters.category),
            (Event.reference, filters.reference),
        ]
        clauses += [column == value for column, value in equal if value is not None]
        return clauses

    @asynccontextmanager
    async def _writing(self, *, deleting: bool = False) -> AsyncIterator[None]:
        """Commit the block's writes; a broken constraint is rolled back and becomes a 409."""
        try:
            yield
            await self.db.commit()
        except IntegrityError as exc:
            await self.db.rollback()
            conflict = as_conflict(exc, LABEL, UNIQUE_FIELDS, deleting=deleting)
            if conflict is None:
                raise
            raise conflict from exc
