from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.core.errors import as_conflict
from app.core.pagination import after
from app.models import Category
from app.schemas.category import CategoryCreate, CategoryFilters
from app.services.references import (
    Reference,
    check_no_cycle,
    check_references,
    owned_by,
)

LABEL = "category"
# Unique constraints of the table and the field each one protects, for 409 messages.
UNIQUE_FIELDS: dict[str, str] = {
    "uq_categories_user_id_name": "name",
}
# What `sort` may name (`title` ascending, `-title` descending); nothing else reaches SQL.
SORT_COLUMNS: dict[str, InstrumentedAttribute[Any]] = {
    "id": Category.id,
    "created_at": Category.created_at,
    "updated_at": Category.updated_at,
    "name": Category.name,
}


class CategoryService:
    """Categories and their operations. `user_id` limits an operation to one owner's
    rows; None lifts the limit (for admins, and where the access rules open the rows to all)."""

    def __init__(self, db: AsyncSession) -> None:
        self.db = db

    async def create(
        self, data: CategoryCreate, *, user_id: int, reader: int | None
    ) -> Category:
        values = data.model_dump()
        await self._check_references(values, reader)
        category = Category(**values, user_id=user_id)
        async with self._writing():
            self.db.add(category)
        return category

    async def get(self, category_id: int, *, user_id: int | None) -> Category | None:
        query = select(Category).where(*self._row(category_id, user_id))
        return await self.db.scalar(query)

    async def get_multi(
        self,
        *,
        limit: int,
        cursor: str | None,
        filters: CategoryFilters,
        user_id: int | None,
    ) -> list[Category]:
        """Up to `limit` rows in the order `filters.sort` names, after the `cursor` row's."""
        column = SORT_COLUMNS[filters.sort.removeprefix("-")]
        # The id breaks ties: each row has one place in the order, which a cursor names.
        if filters.sort.startswith("-"):
            order = (column.desc(), Category.id.desc())
        else:
            order = (column.asc(), Category.id.asc())
        query = select(Category).where(*self._filters(filters, user_id))
        if cursor is not None:
            query = query.where(after(cursor, filters.sort, column, Category.id))
        page = query.order_by(*order).limit(limit)
        return list(await self.db.scalars(page))

    async def count(self, filters: CategoryFilters, *, user_id: int | None) -> int:
        query = (
            select(func.count())
            .select_from(Category)
            .where(*self._filters(filters, user_id))
        )
        return await self.db.scalar(query) or 0

    async def category_exists(self, category_id: int, *, user_id: int | None) -> bool:
        """Whether the category a nested list is under exists (and is the user's, unless `user_id` is None)."""
        query = select(Category.id).where(Category.id == category_id)
        if user_id is not None:
            query = query.where(Category.user_id == user_id)
        return await self.db.scalar(query) is not None

    async def update(
        self,
        category_id: int,
        values: dict[str, Any],
        *,
        user_id: int | None,
        reader: int | None,
    ) -> Category | None:
        """Apply `values` in one UPDATE ... RETURNING.

        None if there is no such row. The UPDATE writes every value sent (even one equal to
        what the row holds) and locks the row until the commit: a concurrent update or
        delete of it waits for this one.
        """
        await self._check_references(values, reader)
        query = (
            update(Category)
            .where(*self._row(category_id, user_id))
            .values(**values)
            .returning(Category)
        )
        async with self._writing():
            category = await self.db.scalar(query)
            if category is not None:
                parent = Reference(
                    "parent_id", "Category", Category.id, values.get("parent_id")
                )
                await check_no_cycle(self.db, parent, Category.parent_id, category_id)
        return category

    async def delete(self, category_id: int, *, user_id: int | None) -> bool:
        query = (
            delete(Category)
            .where(*self._row(category_id, user_id))
            .returning(Category.id)
        )
        async with self._writing(deleting=True):
            deleted = await self.db.scalar(query)
        return deleted is not None

    def _row(self, category_id: int, user_id: int | None) -> list[ColumnElement[bool]]:
        """The row `category_id` names, if it is the user's (any row's when `user_id` is None)."""
        clauses = [Category.id == category_id]
        if user_id is not None:
            clauses.append(Category.user_id == user_id)
        return clauses

    def _filters(
        self, filters: CategoryFilters, user_id: int | None
    ) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if user_id is not None:
            clauses.append(Category.user_id == user_id)
        # Equality filters: each one given narrows the list.
        equal: list[tuple[InstrumentedAttribute[Any], object]] = [
            (Category.name, filters.name),
            (Category.parent_id, filters.parent_id),
        ]
        clauses += [column == value for column, value in equal if value is not None]
        if filters.q is not None:
            # autoescape: `%` and `_` in the search are matched literally.
            matches = [
                Category.name.icontains(filters.q, autoescape=True),
            ]
            clauses.append(or_(*matches))
        return clauses

    async def _check_references(
        self, values: dict[str, Any], reader: int | None
    ) -> None:
        references = [
            Reference(
                "parent_id",
                "Category",
                Category.id,
                values.get("parent_id"),
                (*owned_by(Category.user_id, reader),),
            ),
        ]
        await check_references(self.db, references)

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
