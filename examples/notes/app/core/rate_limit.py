import hashlib
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import RateLimitWindow

WINDOW_SECONDS = 60
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def rate_limit_key(budget: str, value: str) -> str:
    """The key of `value`'s budget: a digest, so what a client sends (an email, a forwarded
    address) is neither stored as such nor able to make keys longer."""
    digest = hashlib.blake2b(value.encode(), digest_size=16).hexdigest()
    return f"{budget}:{digest}"


class MemoryRateLimiter:
    """A sliding window per key, in this process: right for a single worker.

    The window is estimated from two fixed ones, this one's hits plus the last one's weighted
    by how much of it the sliding window still covers. When a new window starts, every key's
    older counts go at once: each request does the same small work however many clients came.
    """

    def __init__(
        self,
        window_seconds: int = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.window_seconds = window_seconds
        self.clock = clock
        self._window = 0
        self._current: dict[str, int] = {}
        self._previous: dict[str, int] = {}

    async def allow(self, key: str, limit: int, db: AsyncSession) -> bool:
        window, into = divmod(self.clock(), self.window_seconds)
        if window != self._window:
            self._previous = self._current if window == self._window + 1 else {}
            self._current = {}
            self._window = int(window)
        hits = self._current.get(key, 0)
        carried = self._previous.get(key, 0) * (1 - into / self.window_seconds)
        if hits + carried >= limit:
            return False
        self._current[key] = hits + 1
        return True

    @property
    def tracked(self) -> int:
        """How many keys' counts are held."""
        return len(self._current) + len(self._previous)

    def reset(self) -> None:
        self._current.clear()
        self._previous.clear()


class DatabaseRateLimiter:
    """A fixed window per key in PostgreSQL, shared by every worker and host."""

    def __init__(self, window_seconds: int = WINDOW_SECONDS) -> None:
        self.window = timedelta(seconds=window_seconds)
        self._swept: datetime | None = None

    async def allow(self, key: str, limit: int, db: AsyncSession) -> bool:
        # Windows by the database's clock, not this host's: every instance counts alike.
        window = func.date_bin(self.window, func.now(), EPOCH)
        upsert = insert(RateLimitWindow).values(key=key, window_start=window, hits=1)
        upsert = upsert.on_conflict_do_update(
            index_elements=[RateLimitWindow.key, RateLimitWindow.window_start],
            set_={"hits": RateLimitWindow.hits + 1},
        )
        counted = upsert.returning(RateLimitWindow.hits, RateLimitWindow.window_start)
        hits, started = (await db.execute(counted)).one()
        await db.commit()
        if started != self._swept:
            # Once per window and process, every key's finished windows go (the table holds
            # about one window's keys), in a transaction of its own that holds no budget's row.
            finished = RateLimitWindow.window_start < started
            await db.execute(delete(RateLimitWindow).where(finished))
            await db.commit()
            self._swept = started
        return bool(hits <= limit)

    def reset(self) -> None:
        """Windows expire on their own; nothing is held in this process."""


RateLimiter = MemoryRateLimiter | DatabaseRateLimiter
