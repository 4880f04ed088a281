"""Run by `prpgen verify` with the *project's* interpreter, inside the project: imports nothing
from prpgen. `openapi`: every route is in the OpenAPI document with the status codes it can
answer; `auth`: every route that declares a bearer token answers 401 without one.
Prints one JSON line: {"figure": ..., "problems": [...]}. Run as `python -c <this file's text>`
from the project's directory, so that `app` is importable."""

import asyncio
import importlib
import json
import pkgutil
import re
import sys
from typing import Any

from app.main import app  # type: ignore[import-not-found]
from fastapi import APIRouter
from fastapi.routing import APIRoute
from httpx import ASGITransport, AsyncClient


def declared_routes() -> list[APIRoute]:
    """The routes the project's code declares: app-level ones and the router of each module of
    `app.api` and `app.api.endpoints`."""
    import app.api as api  # type: ignore[import-not-found]
    import app.api.endpoints as endpoints  # type: ignore[import-not-found]

    found = [route for route in app.routes if isinstance(route, APIRoute)]
    for package in (api, endpoints):
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            router = getattr(module, "router", None)
            if isinstance(router, APIRouter):
                found += [route for route in router.routes if isinstance(route, APIRoute)]
    return [route for route in found if route.include_in_schema]


def routes() -> list[tuple[str, str, APIRoute, dict[str, Any] | None]]:
    """(method, documented path, route, its OpenAPI operation or None) for every declared route.

    A router's routes are matched to the document by path suffix: where a router is mounted
    (`/api/v1`) is the app's business, not the router's.
    """
    paths: dict[str, Any] = app.openapi()["paths"]
    found = []
    for route in declared_routes():
        for method in sorted(route.methods or ()):
            documented = [p for p in paths if p.endswith(route.path) and method.lower() in paths[p]]
            path = min(documented, key=len) if documented else route.path
            operation = paths[path][method.lower()] if documented else None
            found.append((method, path, route, operation))
    return found


def check_openapi() -> dict[str, Any]:
    problems = []
    listed = routes()
    for method, path, route, operation in listed:
        if operation is None:
            problems.append(f"{method} {path}: missing from the OpenAPI document")
            continue
        expected = {str(route.status_code or 200)}
        if operation.get("security"):
            expected.add("401")
        if route.dependant.path_params or route.dependant.query_params or route.body_field:
            expected.add("422")
        if route.dependant.path_params and operation.get("security"):
            expected.add("404")
        missing = sorted(expected - set(operation["responses"]))
        if missing:
            problems.append(f"{method} {path}: status codes {', '.join(missing)} are not documented")
    return {"figure": f"{len(listed)} operations, {len(problems)} problems", "problems": problems}


async def check_auth() -> dict[str, Any]:
    problems = []
    protected = [(m, p) for m, p, _, op in routes() if op and op.get("security")]
    transport = ASGITransport(app=app)
    async with AsyncClient(transport=transport, base_url="http://verify") as client:
        for method, path in protected:
            response = await client.request(method, re.sub(r"\{[^}]+\}", "1", path))
            if response.status_code != 401:
                problems.append(f"{method} {path}: answered {response.status_code} without a token")
            elif response.headers.get("www-authenticate") != "Bearer":
                problems.append(f"{method} {path}: 401 without `WWW-Authenticate: Bearer`")
    return {"figure": f"{len(protected)} protected operations, {len(problems)} problems", "problems": problems}


if __name__ == "__main__":
    result = check_openapi() if sys.argv[1] == "openapi" else asyncio.run(check_auth())
    print(json.dumps(result))
