from typing import Any, NoReturn

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import ConflictError, violated_constraint
from app.models import Post
from app.schemas.post import PostCreate

# Unique constraints of the table and the field each one protects, for 409 messages.
UNIQUE_FIELDS = {
    "uq_posts_slug": "slug",
}


class PostService:
    def __init__(self, db: AsyncSession) -> None:
        self.db = db

    async def create(self, data: PostCreate, *, user_id: int) -> Post:
        post = Post(**data.model_dump(), user_id=user_id)
        self.db.add(post)
        try:
            await self.db.commit()
        except IntegrityError as exc:
            await self._conflict(exc)
        return post

    async def get(self, post_id: int, *, user_id: int) -> Post | None:
        return await self.db.scalar(
            select(Post).where(Post.id == post_id, Post.user_id == user_id)
        )

    async def get_multi(self, *, skip: int, limit: int, user_id: int) -> list[Post]:
        query = select(Post).where(Post.user_id == user_id)
        page = query.order_by(Post.id.desc()).offset(skip).limit(limit)
        return list(await self.db.scalars(page))

    async def count(self, *, user_id: int) -> int:
        query = select(func.count()).select_from(Post).where(Post.user_id == user_id)
        return await self.db.scalar(query) or 0

    async def update(
        self, post_id: int, values: dict[str, Any], *, user_id: int
    ) -> Post | None:
        """Apply `values` in one UPDATE ... RETURNING; None if no such row."""
        query = (
            update(Post)
            .where(Post.id == post_id, Post.user_id == user_id)
            .values(**values)
        )
        try:
            post = await self.db.scalar(query.returning(Post))
            await self.db.commit()
        except IntegrityError as exc:
            await self._conflict(exc)
        return post

    async def delete(self, post_id: int, *, user_id: int) -> bool:
        query = (
            delete(Post)
            .where(Post.id == post_id, Post.user_id == user_id)
            .returning(Post.id)
        )
        deleted = await self.db.scalar(query)
        await self.db.commit()
        return deleted is not None

    async def _conflict(self, exc: IntegrityError) -> NoReturn:
        await self.db.rollback()
        field = UNIQUE_FIELDS.get(violated_constraint(exc) or "")
        if field is None:
            raise exc
        raise ConflictError(f"A post with this {field} already exists") from exc
