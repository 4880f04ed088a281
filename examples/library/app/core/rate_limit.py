import time
from collections import defaultdict, deque
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import RateLimitWindow

WINDOW_SECONDS = 60
MAX_TRACKED_KEYS = 10_000


class MemoryRateLimiter:
    """Sliding window per key, in this process: right for a single worker."""

    def __init__(self, limit: int, window_seconds: float = WINDOW_SECONDS) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self._hits: defaultdict[str, deque[float]] = defaultdict(deque)

    async def allow(self, key: str, db: AsyncSession) -> bool:
        now = time.monotonic()
        if len(self._hits) > MAX_TRACKED_KEYS:
            self._forget_idle(now)
        hits = self._hits[key]
        while hits and hits[0] <= now - self.window_seconds:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        return True

    def _forget_idle(self, now: float) -> None:
        """Forget clients idle for a whole window: memory tracks recent ones only."""
        cutoff = now - self.window_seconds
        for key in [
            key for key, hits in self._hits.items() if not hits or hits[-1] <= cutoff
        ]:
            del self._hits[key]

    def reset(self) -> None:
        self._hits.clear()


class DatabaseRateLimiter:
    """Fixed window per key in PostgreSQL, shared by every worker and host."""

    def __init__(self, limit: int, window_seconds: int = WINDOW_SECONDS) -> None:
        self.limit = limit
        self.window_seconds = window_seconds

    async def allow(self, key: str, db: AsyncSession) -> bool:
        now = datetime.now(UTC)
        epoch = int(now.timestamp()) // self.window_seconds * self.window_seconds
        window = datetime.fromtimestamp(epoch, UTC)
        upsert = insert(RateLimitWindow).values(key=key, window_start=window, hits=1)
        upsert = upsert.on_conflict_do_update(
            index_elements=[RateLimitWindow.key, RateLimitWindow.window_start],
            set_={"hits": RateLimitWindow.hits + 1},
        )
        hits = await db.scalar(upsert.returning(RateLimitWindow.hits))
        expired = window - timedelta(seconds=self.window_seconds)
        await db.execute(
            delete(RateLimitWindow).where(
                RateLimitWindow.key == key, RateLimitWindow.window_start < expired
            )
        )
        await db.commit()
        return (hits or 0) <= self.limit

    def reset(self) -> None:
        """Windows expire on their own; nothing is held in this process."""


RateLimiter = MemoryRateLimiter | DatabaseRateLimiter
