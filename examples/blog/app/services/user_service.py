from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import ConflictError
from app.core.security import hash_password, verify_password
from app.models import User
from app.schemas.user import UserCreate


class UserService:
    def __init__(self, db: AsyncSession) -> None:
        self.db = db

    async def create(self, data: UserCreate) -> User:
        user = User(
            email=data.email.lower(),
            hashed_password=await hash_password(data.password),
        )
        self.db.add(user)
        try:
            await self.db.commit()
        except IntegrityError as exc:
            await self.db.rollback()
            raise ConflictError("A user with this email already exists") from exc
        return user

    async def authenticate(self, email: str, password: str) -> User | None:
        # No stored email holds a NUL, and PostgreSQL would refuse to compare with one.
        user = None
        if "\x00" not in email:
            user = await self.db.scalar(select(User).where(User.email == email.lower()))
        # The hash takes ~0.1 s, and logins may queue for the hashing threads: end the
        # read-only transaction first, so the database connection serves others meanwhile.
        await self.db.commit()
        hashed = user.hashed_password if user is not None else None
        if not await verify_password(password, hashed):
            return None
        return user
