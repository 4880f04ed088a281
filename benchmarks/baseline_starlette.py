"""Baseline (a): the generated routes on plain Starlette and an asyncpg pool, no ORM.

What a careful engineer writes when every microsecond counts: hand-written SQL, one round trip
per operation, the same JWT check (PyJWT, then the user's row) as the generated app. It is the
practical limit the generated app is compared against, not a product: validation is minimal.

Run: DATABASE_URL=postgresql://... SECRET_KEY=... uvicorn benchmarks.baseline_starlette:app
"""

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from benchmarks import cursors

# The statements, written out: one round trip per operation (a list's count only when asked for).
LIST = (
    "SELECT id, title, body, priority, done, user_id, created_at, updated_at"
    " FROM notes WHERE user_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3"
)
COUNT = "SELECT count(*) FROM notes WHERE user_id = $1"
GET = (
    "SELECT id, title, body, priority, done, user_id, created_at, updated_at FROM notes WHERE id = $1 AND user_id = $2"
)
INSERT = (
    "INSERT INTO notes (title, body, priority, done, user_id) VALUES ($1, $2, $3, $4, $5)"
    " RETURNING id, title, body, priority, done, user_id, created_at, updated_at"
)
UPDATE = (
    "UPDATE notes SET title = $1, body = $2, priority = $3, done = $4, updated_at = now()"
    " WHERE id = $5 AND user_id = $6"
    " RETURNING id, title, body, priority, done, user_id, created_at, updated_at"
)
DELETE = "DELETE FROM notes WHERE id = $1 AND user_id = $2 RETURNING id"
pool: asyncpg.Pool | None = None


@asynccontextmanager
async def lifespan(_: Starlette) -> AsyncIterator[None]:
    global pool
    dsn = os.environ["DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
    pool = await asyncpg.create_pool(dsn, min_size=10, max_size=20)
    yield
    await pool.close()


def _row(record: asyncpg.Record) -> dict[str, Any]:
    row = dict(record)
    row["created_at"] = row["created_at"].isoformat()
    row["updated_at"] = row["updated_at"].isoformat()
    return row


async def _user_id(request: Request, connection: asyncpg.Connection) -> int | None:
    header = request.headers.get("authorization", "")
    if not header.startswith("Bearer "):
        return None
    try:
        claims = jwt.decode(
            header[7:],
            os.environ["SECRET_KEY"],
            algorithms=["HS256"],
            issuer=os.environ["JWT_ISSUER"],
            audience=os.environ["JWT_AUDIENCE"],
            options={"require": ["exp", "iat", "sub", "iss", "aud"]},
        )
    except jwt.InvalidTokenError:
        return None
    user_id = await connection.fetchval("SELECT id FROM users WHERE id = $1 AND is_active", int(claims["sub"]))
    return int(user_id) if user_id is not None else None


UNAUTHORIZED = JSONResponse({"detail": "Could not validate credentials"}, 401)
NOT_FOUND = JSONResponse({"detail": "Note not found"}, 404)


async def _body(request: Request) -> dict[str, Any] | None:
    try:
        data = json.loads(await request.body())
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("title"), str):
        return None
    return data


async def notes(request: Request) -> Response:
    assert pool is not None
    async with pool.acquire() as connection:
        user_id = await _user_id(request, connection)
        if user_id is None:
            return UNAUTHORIZED
        if request.method == "GET":
            limit = min(int(request.query_params.get("limit", 20)), 100)
            try:
                before = cursors.decode(request.query_params.get("cursor"))
            except ValueError:
                return JSONResponse({"detail": "invalid cursor"}, 422)
            rows = await connection.fetch(LIST, user_id, before, limit + 1)
            items = [_row(r) for r in rows[:limit]]
            next_cursor = cursors.encode(items[-1]["id"]) if len(rows) > limit else None
            total = None
            if request.query_params.get("total") == "true":
                total = await connection.fetchval(COUNT, user_id)
            return JSONResponse({"items": items, "next": next_cursor, "total": total})
        data = await _body(request)
        if data is None:
            return JSONResponse({"detail": "invalid body"}, 422)
        values = (data["title"], data.get("body", ""), int(data.get("priority", 0)), bool(data.get("done")))
        row = await connection.fetchrow(INSERT, *values, user_id)
        return JSONResponse(_row(row), 201)


async def note(request: Request) -> Response:
    assert pool is not None
    note_id = int(request.path_params["note_id"])
    async with pool.acquire() as connection:
        user_id = await _user_id(request, connection)
        if user_id is None:
            return UNAUTHORIZED
        if request.method == "GET":
            row = await connection.fetchrow(GET, note_id, user_id)
        elif request.method == "PUT":
            data = await _body(request)
            if data is None:
                return JSONResponse({"detail": "invalid body"}, 422)
            values = (data["title"], data.get("body", ""), int(data.get("priority", 0)), bool(data.get("done")))
            row = await connection.fetchrow(UPDATE, *values, note_id, user_id)
        else:
            deleted = await connection.fetchval(DELETE, note_id, user_id)
            return NOT_FOUND if deleted is None else Response(status_code=204)
        return NOT_FOUND if row is None else JSONResponse(_row(row))


app = Starlette(
    routes=[
        Route("/api/v1/notes", notes, methods=["GET", "POST"]),
        Route("/api/v1/notes/{note_id:int}", note, methods=["GET", "PUT", "DELETE"]),
    ],
    lifespan=lifespan,
)
