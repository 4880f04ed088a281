"""Baseline (b): the generated routes as the FastAPI and SQLAlchemy tutorials teach them.

An AsyncSession per request from a dependency, ORM `select`, `db.get`, `db.refresh` after a
commit, `response_model`, and the same JWT check (OAuth2PasswordBearer, PyJWT, the user's row).
Nothing here is tuned; it is the way most FastAPI services start out.

Run: DATABASE_URL=postgresql+asyncpg://... SECRET_KEY=... uvicorn benchmarks.baseline_textbook:app
"""

import os
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated

import jwt
from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.security import OAuth2PasswordBearer
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ForeignKey, String, Text, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from benchmarks import cursors

engine = create_async_engine(os.environ["DATABASE_URL"])
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    is_active: Mapped[bool]


class Note(Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    priority: Mapped[int]
    done: Mapped[bool]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())


class NoteIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    body: str
    priority: int = Field(default=0, ge=0, le=5)
    done: bool = False


class NoteOut(NoteIn):
    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: int
    created_at: datetime
    updated_at: datetime


class NoteList(BaseModel):
    items: list[NoteOut]
    next: str | None
    total: int | None


async def get_db() -> AsyncIterator[AsyncSession]:
    async with SessionLocal() as session:
        yield session


oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/login")
DB = Annotated[AsyncSession, Depends(get_db)]


async def get_current_user(token: Annotated[str, Depends(oauth2_scheme)], db: DB) -> User:
    credentials_exception = HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail="Could not validate credentials",
        headers={"WWW-Authenticate": "Bearer"},
    )
    try:
        payload = jwt.decode(
            token,
            os.environ["SECRET_KEY"],
            algorithms=["HS256"],
            issuer=os.environ["JWT_ISSUER"],
            audience=os.environ["JWT_AUDIENCE"],
        )
    except jwt.InvalidTokenError:
        raise credentials_exception from None
    user = await db.get(User, int(payload["sub"]))
    if user is None or not user.is_active:
        raise credentials_exception
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]
app = FastAPI()


async def _own_note(db: AsyncSession, note_id: int, user: User) -> Note:
    note = await db.get(Note, note_id)
    if note is None or note.user_id != user.id:
        raise HTTPException(status_code=404, detail="Note not found")
    return note


@app.get("/api/v1/notes", response_model=NoteList)
async def list_notes(
    db: DB, user: CurrentUser, limit: int = 20, cursor: str | None = None, total: bool = False
) -> NoteList:
    try:
        before = cursors.decode(cursor)
    except ValueError:
        raise HTTPException(status_code=422, detail="Invalid cursor") from None
    result = await db.execute(
        select(Note).where(Note.user_id == user.id, Note.id < before).order_by(Note.id.desc()).limit(limit + 1)
    )
    notes = result.scalars().all()
    count = None
    if total:
        count = await db.scalar(select(func.count()).select_from(Note).where(Note.user_id == user.id))
    return NoteList(
        items=[NoteOut.model_validate(n) for n in notes[:limit]],
        next=cursors.encode(notes[limit - 1].id) if len(notes) > limit else None,
        total=count,
    )


@app.post("/api/v1/notes", response_model=NoteOut, status_code=201)
async def create_note(note: NoteIn, db: DB, user: CurrentUser) -> Note:
    db_note = Note(**note.model_dump(), user_id=user.id)
    db.add(db_note)
    await db.commit()
    await db.refresh(db_note)
    return db_note


@app.get("/api/v1/notes/{note_id}", response_model=NoteOut)
async def read_note(note_id: int, db: DB, user: CurrentUser) -> Note:
    return await _own_note(db, note_id, user)


@app.put("/api/v1/notes/{note_id}", response_model=NoteOut)
async def update_note(note_id: int, note: NoteIn, db: DB, user: CurrentUser) -> Note:
    db_note = await _own_note(db, note_id, user)
    for key, value in note.model_dump().items():
        setattr(db_note, key, value)
    await db.commit()
    await db.refresh(db_note)
    return db_note


@app.delete("/api/v1/notes/{note_id}", status_code=204)
async def delete_note(note_id: int, db: DB, user: CurrentUser) -> None:
    db_note = await _own_note(db, note_id, user)
    await db.delete(db_note)
    await db.commit()
