"""CPU per update of one note, in-process, for the ways a service can write it.

    cd PROJECT && DATABASE_URL=... SECRET_KEY=... PYTHONPATH=/path/to/prpgen python -m benchmarks.update_variants

PROJECT is generated from `benchmarks/spec.yaml`, migrated, with one user and some of their
notes in the database. 32 tasks at a time on one engine (no HTTP, no FastAPI), so the figures
are the session's and the ORM's cost alone; the variants alternate in blocks of 400 updates
and the medians of 8 blocks are printed. Every update writes values the row does not hold yet
(a new title and priority each time): the unit of work leaves unchanged columns out, and with
nothing changed it would write nothing at all.
"""

import asyncio
import itertools
import statistics
import time
from collections.abc import Awaitable, Callable

from app.core.database import async_session_factory, engine
from app.models import Note, User
from sqlalchemy import select, update

written = itertools.count()
CONCURRENCY, BLOCK, BLOCKS = 32, 400, 8
Update = Callable[[int, int], Awaitable[Note | None]]


def new_values() -> dict[str, object]:
    """Every field of a PUT, with a title no row has held before."""
    number = next(written)
    return {"title": f"Updated {number}", "body": "b", "priority": number % 6, "done": False}


async def _update_returning(note_id: int, user_id: int, **options: object) -> Note | None:
    async with async_session_factory() as db:
        query = (
            update(Note)
            .where(Note.id == note_id, Note.user_id == user_id)
            .values(**new_values())
            .returning(Note)
            .execution_options(**options)
        )
        note = await db.scalar(query)
        await db.commit()
        return note


async def returning(note_id: int, user_id: int) -> Note | None:
    """As generated: one ORM-enabled UPDATE ... RETURNING."""
    return await _update_returning(note_id, user_id)


async def returning_unsynchronized(note_id: int, user_id: int) -> Note | None:
    """The same with `synchronize_session=False`: no synchronization strategy is set up
    (the new session holds no note to synchronize)."""
    return await _update_returning(note_id, user_id, synchronize_session=False)


async def returning_populating(note_id: int, user_id: int) -> Note | None:
    """`synchronize_session=False` with `populate_existing`: the returned row overwrites a note
    of that id already in the session, so none can be left stale."""
    return await _update_returning(note_id, user_id, synchronize_session=False, populate_existing=True)


async def locked_then_set(note_id: int, user_id: int) -> Note | None:
    """SELECT ... FOR UPDATE, set the attributes, commit (the unit of work's UPDATE)."""
    async with async_session_factory() as db:
        query = select(Note).where(Note.id == note_id, Note.user_id == user_id)
        note = await db.scalar(query.with_for_update())
        if note is None:
            return None
        for key, value in new_values().items():
            setattr(note, key, value)
        await db.commit()
        return note


async def get_then_set(note_id: int, user_id: int) -> Note | None:
    """`session.get`, set the attributes, commit: no row lock until the UPDATE."""
    async with async_session_factory() as db:
        note = await db.get(Note, note_id)
        if note is None or note.user_id != user_id:
            return None
        for key, value in new_values().items():
            setattr(note, key, value)
        await db.commit()
        return note


VARIANTS: list[Update] = [
    returning,
    returning_unsynchronized,
    returning_populating,
    locked_then_set,
    get_then_set,
]


async def block(variant: Update, ids: list[int], user_id: int, count: int) -> float:
    """CPU microseconds per update over `count` updates, CONCURRENCY at a time."""
    limit = asyncio.Semaphore(CONCURRENCY)

    async def one(index: int) -> None:
        async with limit:
            if await variant(ids[index % len(ids)], user_id) is None:
                raise SystemExit(f"{variant.__name__}: note {ids[index % len(ids)]} not found")

    started = time.process_time()
    await asyncio.gather(*(one(index) for index in range(count)))
    return (time.process_time() - started) / count * 1e6


async def main() -> None:
    async with async_session_factory() as db:
        user_id = await db.scalar(select(User.id).limit(1))
        if user_id is None:
            raise SystemExit("no user in the database")
        query = select(Note.id).where(Note.user_id == user_id).limit(2000)
        ids = list(await db.scalars(query))
    if not ids:
        raise SystemExit("the user has no notes")
    for variant in VARIANTS:  # warm the statement caches
        await block(variant, ids, user_id, 100)
    cpu: dict[str, list[float]] = {variant.__name__: [] for variant in VARIANTS}
    for round_ in range(BLOCKS):
        for variant in VARIANTS if round_ % 2 == 0 else VARIANTS[::-1]:
            cpu[variant.__name__].append(await block(variant, ids, user_id, BLOCK))
    for name, figures in cpu.items():
        print(f"{name:26} CPU per update, median of {BLOCKS}: {statistics.median(figures):6.0f} µs")
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
