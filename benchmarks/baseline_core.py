"""Baseline (c): the generated routes as an expert writes them within the same stack.

FastAPI and SQLAlchemy, but SQLAlchemy Core on an `AsyncConnection` instead of an ORM session:
every statement built once (bound parameters), rows instead of ORM objects, each endpoint one
statement after the user's lookup (writes with RETURNING, so no re-read after a commit), and no
transaction around a single statement (AUTOCOMMIT: a lone INSERT, UPDATE or DELETE is atomic
anyway, and a read needs no BEGIN/ROLLBACK round trips). Responses are serialized by pydantic-core
straight from the rows (`TypeAdapter.dump_json`), with no second validation by FastAPI. The same
JWT claims required, the same user lookup (`is_active`), the body's fields validated alike (unknown
fields refused), the same response shapes. Unlike the generated app it has no middleware (security
headers, request ids, body limit, CORS, proxy headers) and does not refuse NUL characters: its
ratio holds the generated app's safety features against it as well as its plain code.

This is the practical limit of FastAPI + SQLAlchemy: the ratio generated / (c) says what the
generated app's plain, documented code costs against the fastest this stack allows.

Run: DATABASE_URL=postgresql+asyncpg://... SECRET_KEY=... uvicorn benchmarks.baseline_core:app
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any

import jwt
from fastapi import Depends, FastAPI, HTTPException, Query, Response, status
from fastapi.security import OAuth2PasswordBearer
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from typing_extensions import TypedDict

from benchmarks import cursors

# One connection per concurrent request (the benchmark's 32), no ping on checkout: the pool is
# sized to the load, and every statement runs outside a transaction.
engine = create_async_engine(os.environ["DATABASE_URL"], pool_size=32, max_overflow=8, isolation_level="AUTOCOMMIT")
metadata = MetaData()
users = Table("users", metadata, Column("id", Integer, primary_key=True), Column("is_active", Boolean))
notes = Table(
    "notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", String(200)),
    Column("body", Text),
    Column("priority", Integer),
    Column("done", Boolean),
    Column("user_id", Integer),
    Column("created_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True)),
)
COLUMNS = tuple(notes.columns)
# Parameters named apart from the columns: an UPDATE's SET takes the columns' own names.
OWN = (notes.c.id == bindparam("note")) & (notes.c.user_id == bindparam("owner"))

USER = select(users.c.is_active).where(users.c.id == bindparam("owner"))
PAGE = (
    select(*COLUMNS)
    .where(notes.c.user_id == bindparam("owner"), notes.c.id < bindparam("before"))
    .order_by(notes.c.id.desc())
    .limit(bindparam("limit"))
)
COUNT = select(func.count()).select_from(notes).where(notes.c.user_id == bindparam("owner"))
GET = select(*COLUMNS).where(OWN)
CREATE = insert(notes).returning(*COLUMNS)
# The body's fields (`title`, ...) are set from the parameters of each execution.
UPDATE = update(notes).where(OWN).values(updated_at=func.now()).returning(*COLUMNS)
DELETE = delete(notes).where(OWN).returning(notes.c.id)


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    body: str
    priority: int = Field(default=0, ge=0, le=5)
    done: bool = False


class NoteOut(TypedDict):
    id: int
    title: str
    body: str
    priority: int
    done: bool
    user_id: int
    created_at: datetime
    updated_at: datetime


class NoteList(TypedDict):
    items: list[NoteOut]
    next: str | None
    total: int | None


NOTE = TypeAdapter(NoteOut)
NOTE_LIST = TypeAdapter(NoteList)


def json(adapter: TypeAdapter[Any], value: object, status_code: int = 200) -> Response:
    return Response(adapter.dump_json(value), status_code, media_type="application/json")


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    yield
    await engine.dispose()


app = FastAPI(lifespan=lifespan)
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/login")
UNAUTHORIZED = HTTPException(
    status_code=status.HTTP_401_UNAUTHORIZED,
    detail="Could not validate credentials",
    headers={"WWW-Authenticate": "Bearer"},
)
NOT_FOUND = HTTPException(status_code=404, detail="Note not found")


async def connection() -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as conn:
        yield conn


Connection = Annotated[AsyncConnection, Depends(connection)]


async def current_user(token: Annotated[str, Depends(oauth2_scheme)], conn: Connection) -> int:
    try:
        payload = jwt.decode(
            token,
            os.environ["SECRET_KEY"],
            algorithms=["HS256"],
            issuer=os.environ["JWT_ISSUER"],
            audience=os.environ["JWT_AUDIENCE"],
            leeway=5,
            options={"require": ["exp", "iat", "sub", "iss", "aud"]},
        )
        user_id = int(payload["sub"])
    except (jwt.InvalidTokenError, KeyError, ValueError):
        raise UNAUTHORIZED from None
    if not await conn.scalar(USER, {"owner": user_id}):
        raise UNAUTHORIZED
    return user_id


UserId = Annotated[int, Depends(current_user)]


@app.get("/api/v1/notes")
async def list_notes(
    conn: Connection,
    user_id: UserId,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    total: bool = False,
) -> Response:
    try:
        before = cursors.decode(cursor)
    except ValueError:
        raise HTTPException(status_code=422, detail="Invalid cursor") from None
    rows = await conn.execute(PAGE, {"owner": user_id, "before": before, "limit": limit + 1})
    items = [row._asdict() for row in rows]
    more = len(items) > limit
    count = await conn.scalar(COUNT, {"owner": user_id}) if total else None
    page = {"items": items[:limit], "next": cursors.encode(items[limit - 1]["id"]) if more else None, "total": count}
    return json(NOTE_LIST, page)


@app.post("/api/v1/notes", status_code=201)
async def create_note(note: NoteIn, conn: Connection, user_id: UserId) -> Response:
    row = (await conn.execute(CREATE, {**note.model_dump(), "user_id": user_id})).one()
    return json(NOTE, row._asdict(), 201)


@app.get("/api/v1/notes/{note_id}")
async def read_note(note_id: int, conn: Connection, user_id: UserId) -> Response:
    row = (await conn.execute(GET, {"note": note_id, "owner": user_id})).one_or_none()
    if row is None:
        raise NOT_FOUND
    return json(NOTE, row._asdict())


@app.put("/api/v1/notes/{note_id}")
async def update_note(note_id: int, note: NoteIn, conn: Connection, user_id: UserId) -> Response:
    values = {**note.model_dump(), "note": note_id, "owner": user_id}
    row = (await conn.execute(UPDATE, values)).one_or_none()
    if row is None:
        raise NOT_FOUND
    return json(NOTE, row._asdict())


@app.delete("/api/v1/notes/{note_id}", status_code=204)
async def delete_note(note_id: int, conn: Connection, user_id: UserId) -> Response:
    if await conn.scalar(DELETE, {"note": note_id, "owner": user_id}) is None:
        raise NOT_FOUND
    return Response(status_code=204)
