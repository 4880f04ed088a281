from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, selectinload

from app.core.errors import as_conflict
from app.core.pagination import after
from app.models import Category, Post, Tag
from app.schemas.post import PostCreate, PostFilters
from app.services.references import (
    Reference,
    check_references,
    load_references,
    owned_by,
)

LABEL = "post"
# Unique constraints of the table and the field each one protects, for 409 messages.
UNIQUE_FIELDS: dict[str, str] = {
    "uq_posts_user_id_slug": "slug",
}
# What `sort` may name (`title` ascending, `-title` descending); nothing else reaches SQL.
SORT_COLUMNS: dict[str, InstrumentedAttribute[Any]] = {
    "id": Post.id,
    "created_at": Post.created_at,
    "updated_at": Post.updated_at,
    "title": Post.title,
    "slug": Post.slug,
    "status": Post.status,
    "rating": Post.rating,
    "published_at": Post.published_at,
}


class PostService:
    """Posts and their operations. `user_id` limits an operation to one owner's
    rows; None lifts the limit (for admins, and where the access rules open the rows to all)."""

    def __init__(self, db: AsyncSession) -> None:
        self.db = db

    async def create(
        self, data: PostCreate, *, user_id: int, reader: int | None
    ) -> Post:
        values = data.model_dump(exclude={"tag_ids"})
        await self._check_references(values, reader)
        post = Post(**values, user_id=user_id)
        post.tags = await self._tags(data.tag_ids, reader)
        async with self._writing():
            self.db.add(post)
        return post

    async def get(self, post_id: int, *, user_id: int | None) -> Post | None:
        query = (
            select(Post)
            .where(*self._row(post_id, user_id))
            .options(selectinload(Post.tags))
        )
        return await self.db.scalar(query)

    async def get_multi(
        self,
        *,
        limit: int,
        cursor: str | None,
        filters: PostFilters,
        user_id: int | None,
    ) -> list[Post]:
        """Up to `limit` rows in the order `filters.sort` names, after the `cursor` row's."""
        column = SORT_COLUMNS[filters.sort.removeprefix("-")]
        # The id breaks ties: each row has one place in the order, which a cursor names.
        if filters.sort.startswith("-"):
            order = (column.desc(), Post.id.desc())
        else:
            order = (column.asc(), Post.id.asc())
        query = select(Post).where(*self._filters(filters, user_id))
        if cursor is not None:
            query = query.where(after(cursor, filters.sort, column, Post.id))
        page = query.order_by(*order).limit(limit).options(selectinload(Post.tags))
        return list(await self.db.scalars(page))

    async def count(self, filters: PostFilters, *, user_id: int | None) -> int:
        query = (
            select(func.count())
            .select_from(Post)
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
        post_id: int,
        values: dict[str, Any],
        *,
        user_id: int | None,
        reader: int | None,
    ) -> Post | None:
        """Apply `values` in one UPDATE ... RETURNING, then replace the links given.

        None if there is no such row. The UPDATE writes every value sent (even one equal to
        what the row holds) and locks the row until the commit: a concurrent update or
        delete of it waits for this one.
        """
        values = dict(values)
        tag_ids = values.pop("tag_ids", None)
        await self._check_references(values, reader)
        query = (
            update(Post)
            .where(*self._row(post_id, user_id))
            .values(**values)
            .returning(Post)
            .options(selectinload(Post.tags))
        )
        async with self._writing():
            post = await self.db.scalar(query)
            if post is not None and tag_ids is not None:
                # The row is locked, so the links loaded with it are the committed ones: two
                # updates replace them one after the other, never both from the same start.
                post.tags = await self._tags(tag_ids, reader)
        return post

    async def delete(self, post_id: int, *, user_id: int | None) -> bool:
        query = delete(Post).where(*self._row(post_id, user_id)).returning(Post.id)
        async with self._writing(deleting=True):
            deleted = await self.db.scalar(query)
        return deleted is not None

    def _row(self, post_id: int, user_id: int | None) -> list[ColumnElement[bool]]:
        """The row `post_id` names, if it is the user's (any row's when `user_id` is None)."""
        clauses = [Post.id == post_id]
        if user_id is not None:
            clauses.append(Post.user_id == user_id)
        return clauses

    def _filters(
        self, filters: PostFilters, user_id: int | None
    ) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if user_id is not None:
            clauses.append(Post.user_id == user_id)
        # Equality filters: each one given narrows the list.
        equal: list[tuple[InstrumentedAttribute[Any], object]] = [
            (Post.title, filters.title),
            (Post.slug, filters.slug),
            (Post.status, filters.status),
            (Post.category_id, filters.category_id),
        ]
        clauses += [column == value for column, value in equal if value is not None]
        if filters.q is not None:
            # autoescape: `%` and `_` in the search are matched literally.
            matches = [
                Post.title.icontains(filters.q, autoescape=True),
                Post.body.icontains(filters.q, autoescape=True),
            ]
            clauses.append(or_(*matches))
        return clauses

    async def _check_references(
        self, values: dict[str, Any], reader: int | None
    ) -> None:
        references = [
            Reference(
                "category_id",
                "Category",
                Category.id,
                values.get("category_id"),
                (*owned_by(Category.user_id, reader),),
            ),
        ]
        await check_references(self.db, references)

    async def _tags(self, ids: list[int], reader: int | None) -> list[Tag]:
        reference = Reference(
            "tag_ids", "Tag", Tag.id, None, (*owned_by(Tag.user_id, reader),)
        )
        return await load_references(self.db, Tag, reference, ids)

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
