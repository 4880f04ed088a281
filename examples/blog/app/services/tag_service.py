from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.core.errors import as_conflict
from app.models import Tag
from app.schemas.tag import TagCreate, TagFilters

LABEL = "tag"
# Unique constraints of the table and the field each one protects, for 409 messages.
UNIQUE_FIELDS: dict[str, str] = {
    "uq_tags_user_id_label": "label",
}
# What `sort` may name (`title` ascending, `-title` descending); nothing else reaches SQL.
SORT_COLUMNS: dict[str, InstrumentedAttribute[Any]] = {
    "id": Tag.id,
    "created_at": Tag.created_at,
    "updated_at": Tag.updated_at,
    "label": Tag.label,
}
# One row by id (`_OWNED`: and owner), built once: SQLAlchemy caches compiled SQL,
# but building a statement and its cache key per request took as long as running it.
ROW = (Tag.id == bindparam("_id"),)
OWNED_ROW = (*ROW, Tag.user_id == bindparam("_owner"))
GET = select(Tag).where(*ROW)
GET_OWNED = select(Tag).where(*OWNED_ROW)
# Writes sync the session's objects with the rows RETURNING names: the default would evaluate
# the WHERE clause in Python, where a bound parameter has no value.
SYNC = {"synchronize_session": "fetch"}
UPDATE = update(Tag).where(*ROW).returning(Tag).execution_options(**SYNC)
UPDATE_OWNED = update(Tag).where(*OWNED_ROW).returning(Tag).execution_options(**SYNC)
DELETE = delete(Tag).where(*ROW).returning(Tag.id).execution_options(**SYNC)
DELETE_OWNED = delete(Tag).where(*OWNED_ROW).returning(Tag.id).execution_options(**SYNC)


class TagService:
    """Tags and their operations. `user_id` limits an operation to one owner's
    rows; None lifts the limit (for admins, and where the access rules open the rows to all)."""

    def __init__(self, db: AsyncSession) -> None:
        self.db = db

    async def create(self, data: TagCreate, *, user_id: int) -> Tag:
        values = data.model_dump()
        tag = Tag(**values, user_id=user_id)
        async with self._writing():
            self.db.add(tag)
        return tag

    async def get(self, tag_id: int, *, user_id: int | None) -> Tag | None:
        query = GET if user_id is None else GET_OWNED
        return await self.db.scalar(query, {"_id": tag_id, "_owner": user_id})

    async def get_multi(
        self, *, skip: int, limit: int, filters: TagFilters, user_id: int | None
    ) -> list[Tag]:
        column = SORT_COLUMNS[filters.sort.removeprefix("-")]
        # The id breaks ties, so pages never overlap or skip rows.
        if filters.sort.startswith("-"):
            order = (column.desc(), Tag.id.desc())
        else:
            order = (column.asc(), Tag.id.asc())
        query = select(Tag).where(*self._filters(filters, user_id))
        page = query.order_by(*order).offset(skip).limit(limit)
        return list(await self.db.scalars(page))

    async def count(self, filters: TagFilters, *, user_id: int | None) -> int:
        query = (
            select(func.count())
            .select_from(Tag)
            .where(*self._filters(filters, user_id))
        )
        return await self.db.scalar(query) or 0

    async def update(
        self, tag_id: int, values: dict[str, Any], *, user_id: int | None
    ) -> Tag | None:
        """Apply `values` in one UPDATE ... RETURNING.

        None if there is no such row. The UPDATE writes every value sent (even one equal to
        what the row holds) and locks the row until the commit: a concurrent update or
        delete of it waits for this one.
        """
        query = UPDATE if user_id is None else UPDATE_OWNED
        async with self._writing():
            tag = await self.db.scalar(
                query.values(**values), {"_id": tag_id, "_owner": user_id}
            )
        return tag

    async def delete(self, tag_id: int, *, user_id: int | None) -> bool:
        query = DELETE if user_id is None else DELETE_OWNED
        async with self._writing(deleting=True):
            deleted = await self.db.scalar(query, {"_id": tag_id, "_owner": user_id})
        return deleted is not None

    def _filters(
        self, filters: TagFilters, user_id: int | None
    ) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if user_id is not None:
            clauses.append(Tag.user_id == user_id)
        # Equality filters: each one given narrows the list.
        equal: list[tuple[InstrumentedAttribute[Any], object]] = [
            (Tag.label, filters.label),
        ]
        clauses += [column == value for column, value in equal if value is not None]
        if filters.q is not None:
            # autoescape: `%` and `_` in the search are matched literally.
            matches = [
                Tag.label.icontains(filters.q, autoescape=True),
            ]
            clauses.append(or_(*matches))
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
