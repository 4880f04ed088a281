"""Round trips to PostgreSQL per request of a generated app, counted at the driver.

    cd PROJECT && DATABASE_URL=... SECRET_KEY=... PYTHONPATH=/path/to/prpgen python -m benchmarks.round_trips TOKEN

`benchmarks.run` calls it on the app it has served, migrated and seeded. Requests go through the
ASGI app in-process (httpx's ASGITransport), after a warm-up that fills the prepared statement
caches. asyncpg sends one query and waits for its answer (no pipelining), so every call of its
query methods is one round trip; counting them includes BEGIN, COMMIT, ROLLBACK and pings, which
the generated tests' statement counts leave out. Prints one JSON object: endpoint -> round trips.
"""

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any

import asyncpg
from asyncpg.prepared_stmt import PreparedStatement
from httpx import ASGITransport, AsyncClient, Response

from benchmarks.load import BODY as LOADED_BODY

WARM_UP, COUNTED = 3, 10
BODY = json.loads(LOADED_BODY)  # what wrk sends


def count_calls(counter: list[int]) -> None:
    """Make every query method of asyncpg's connections and prepared statements count itself."""
    methods = [(asyncpg.Connection, name) for name in ("execute", "executemany", "fetch", "fetchrow", "fetchval")]
    methods += [(PreparedStatement, name) for name in ("fetch", "fetchrow", "fetchval", "executemany")]
    for owner, name in methods:
        original = getattr(owner, name)

        @wraps(original)
        async def counted(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
            counter[0] += 1
            return await _original(*args, **kwargs)

        setattr(owner, name, counted)


async def measure(token: str) -> dict[str, float]:
    counter = [0]
    count_calls(counter)
    from app.main import app  # the project's, from the working directory

    headers = {"Authorization": f"Bearer {token}"}
    results: dict[str, float] = {}
    async with app.router.lifespan_context(app):
        transport = ASGITransport(app=app)
        async with AsyncClient(transport=transport, base_url="http://bench", headers=headers) as client:
            created = [(await client.post("/api/v1/notes", json=BODY)).json()["id"] for _ in range(WARM_UP + COUNTED)]
            requests: dict[str, Callable[[int], Awaitable[Response]]] = {
                "list": lambda _: client.get("/api/v1/notes", params={"limit": 20}),
                "get": lambda i: client.get(f"/api/v1/notes/{created[i]}"),
                "create": lambda _: client.post("/api/v1/notes", json=BODY),
                "update": lambda i: client.put(f"/api/v1/notes/{created[i]}", json=BODY),
                "delete": lambda i: client.delete(f"/api/v1/notes/{created[i]}"),
            }
            for endpoint, request in requests.items():
                for i in range(WARM_UP):
                    (await request(i)).raise_for_status()
                counter[0] = 0
                for i in range(WARM_UP, WARM_UP + COUNTED):
                    (await request(i)).raise_for_status()
                results[endpoint] = counter[0] / COUNTED
    return results


if __name__ == "__main__":
    print(json.dumps(asyncio.run(measure(sys.argv[1]))))
